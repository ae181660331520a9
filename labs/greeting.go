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

// greeting is what a new shell in host prints before its prompt.
func (s *Scenario) greeting(host string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s\n", s.Title, host)
	if vars := s.ShellVariables(host); len(vars) > 0 {
		b.WriteString("Your shell is given:")
		for _, v := range vars {
			b.WriteString(" $" + v)
		}
		b.WriteString("  (echo one to see it)\n")
	}
	for _, t := range s.WebTargets() {
		fmt.Fprintf(&b, "In your browser: %s (%s:%d), opened from the lab page\n", t.Label, t.Host, t.Port)
	}
	return b.String()
}

// shellCommand starts a login shell (bash where the image has it, else
// sh) after printing the greeting and the host's AWS CLI profiles. The
// greeting is passed as an argument, never as part of the script.
func shellCommand(greeting string) []string {
	const script = `printf '%s' "$0"
p=$(sed -n 's/^\[profile \(.*\)\]$/\1/p' "$HOME/.aws/config" 2>/dev/null | tr '\n' ' ')
[ -n "$p" ] && printf 'AWS CLI profiles: %s(aws --profile NAME ...)\n' "$p"
echo
if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi`
	return []string{"/bin/sh", "-c", script, greeting}
}
