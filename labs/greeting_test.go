package labs

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/scenarios"
)

// A new shell in Metadata Heist names the variables the briefing names,
// and the web target.
func TestTheGreetingNamesTheShellsVariables(t *testing.T) {
	c, err := LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Scenario("metadata-heist")
	if err != nil {
		t.Fatal(err)
	}
	got := s.greeting(s.TerminalHost(), "en")
	for _, want := range []string{"Metadata Heist · workstation", " $WEB", " $CLOUD", " $APP_ADMIN_TOKEN", "Acme Link Preview (web:80)"} {
		if !strings.Contains(got, want) {
			t.Errorf("greeting lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "http://") {
		t.Errorf("the greeting shows values, which may be secrets:\n%s", got)
	}
}

// The greeting reaches the screen as written, never run as shell code,
// and the profiles in the host's AWS configuration are named after it.
func TestTheShellCommandPrintsTheGreetingAsIs(t *testing.T) {
	home := t.TempDir()
	if err := os.Mkdir(home+"/.aws", 0o700); err != nil {
		t.Fatal(err)
	}
	config := "[default]\nregion = us-east-1\n[profile analyst]\nregion = us-east-1\n"
	if err := os.WriteFile(home+"/.aws/config", []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := shellCommand("Lab · $(touch "+home+"/pwned) `id` $WEB\n", "en")
	cmd[2] = strings.Replace(cmd[2], "if command -v bash", "exit 0; if command -v bash", 1) // no interactive shell here
	c := exec.Command(cmd[0], cmd[1:]...)
	c.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !strings.HasPrefix(string(out), "Lab · $(touch "+home+"/pwned) `id` $WEB\n") {
		t.Errorf("greeting altered:\n%s", out)
	}
	if !strings.Contains(string(out), "AWS CLI profiles: analyst ") {
		t.Errorf("profiles not named:\n%s", out)
	}
	if _, err := os.Stat(home + "/pwned"); err == nil {
		t.Error("the greeting ran as shell code")
	}
}

// A Japanese reader's shell greets in Japanese: the scenario's title and
// web target from its Japanese text, and the greeting's own words.
func TestTheGreetingSpeaksTheReadersLanguage(t *testing.T) {
	c, err := LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.Scenario("metadata-heist")
	got := s.greeting(s.TerminalHost(), "ja")
	for _, want := range []string{"メタデータ強奪 · workstation", "このシェルに渡されている変数: ", " $WEB", "Acme リンクプレビュー (web:80)"} {
		if !strings.Contains(got, want) {
			t.Errorf("greeting lacks %q:\n%s", want, got)
		}
	}
	if cmd := shellCommand(got, "ja"); cmd[len(cmd)-1] != "AWS CLI のプロファイル: " {
		t.Errorf("profiles are not named in Japanese: %q", cmd)
	}
	if strings.Contains(got, "Your shell") || strings.Contains(s.greeting(s.TerminalHost(), "fr"), "このシェル") {
		t.Errorf("the languages are mixed:\n%s", got)
	}
}
