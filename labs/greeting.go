package labs

import (
	"fmt"
	"sort"
	"strings"
)

// A new lab shell opens on a few lines that say what the trainee has to
// work with: the variables the shell is given, the web targets, and the
// AWS CLI profiles in the host's own configuration. The variables and web
// targets come from the scenario, as the lab page's briefing does, so the
// two always agree and no image is built per lab; the profiles are read
// inside the host, where the scenario's command wrote them.

// ShellVariables names the variables a host's shell is given ($WEB,
// $CLOUD…), sorted. Names only: a value may be a per-trainee secret.
func (s *Scenario) ShellVariables(host string) []string {
	names := []string{}
	for _, h := range s.Hosts {
		if h.Name != host {
			continue
		}
		for name := range h.Env {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// greetingWords are the greeting's own words in each language the range
// speaks; the scenario's title and labels come from its text (Scenario.In).
var greetingWords = map[string]struct{ given, echo, browser, profiles string }{
	"en": {"Your shell is given:", "  (echo one to see it)", "In your browser: %s (%s:%d), opened from the lab page", "AWS CLI profiles: "},
	"ja": {"このシェルに渡されている変数:", "  （echo で値を表示できます）", "ブラウザーで開けるもの: %s (%s:%d)。ラボのページから開きます", "AWS CLI のプロファイル: "},
}

func wordsOfGreeting(lang string) (given, echo, browser, profiles string) {
	w, ok := greetingWords[lang]
	if !ok {
		w = greetingWords["en"]
	}
	return w.given, w.echo, w.browser, w.profiles
}

// greeting is what a new shell in host prints before its prompt, in lang
// ("ja", else English).
func (s *Scenario) greeting(host, lang string) string {
	given, echo, browser, _ := wordsOfGreeting(lang)
	in := s.In(lang)
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s\n", in.Title, host)
	if vars := s.ShellVariables(host); len(vars) > 0 {
		b.WriteString(given)
		for _, v := range vars {
			b.WriteString(" $" + v)
		}
		b.WriteString(echo + "\n")
	}
	for _, t := range in.WebTargets() {
		fmt.Fprintf(&b, browser+"\n", t.Label, t.Host, t.Port)
	}
	return b.String()
}

// shellCommand starts a login shell (bash where the image has it, else
// sh) after printing the greeting and the host's AWS CLI profiles, named
// in lang. The words are passed as arguments, never as part of the script.
func shellCommand(greeting, lang string) []string {
	const script = `printf '%s' "$0"
p=$(sed -n 's/^\[profile \(.*\)\]$/\1/p' "$HOME/.aws/config" 2>/dev/null | tr '\n' ' ')
[ -n "$p" ] && printf '%s%s(aws --profile NAME ...)\n' "$1" "$p"
echo
if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi`
	_, _, _, profiles := wordsOfGreeting(lang)
	return []string{"/bin/sh", "-c", script, greeting, profiles}
}
