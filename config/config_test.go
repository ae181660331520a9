package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load("serve", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.PublicURL != "http://localhost:8080" || c.DataDir != "data" ||
		c.DatabaseURL != "" || c.Registration != RegistrationInvite || c.SecretsFile != filepath.Join("data", "secrets.json") {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestFlagsBeatEnvironmentBeatsDefaults(t *testing.T) {
	vars := map[string]string{"SAKIMORI_LISTEN": "0.0.0.0:9000", "SAKIMORI_DATA_DIR": "/var/lib/sakimori", "SAKIMORI_ACCESS_TTL": "5m"}
	c, err := Load("serve", []string{"-listen", "127.0.0.1:7000"}, env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:7000" || c.DataDir != "/var/lib/sakimori" || c.AccessTTL != 5*time.Minute {
		t.Fatalf("precedence wrong: %+v", c)
	}
	if c.PublicURL != "http://localhost:7000" {
		t.Fatalf("public URL %q not derived from the listen address", c.PublicURL)
	}
	c, _ = Load("serve", nil, env(map[string]string{"SAKIMORI_DATABASE_URL": "postgres://u@h/db", "SAKIMORI_PUBLIC_URL": "https://range.example/"}))
	if c.DatabaseURL != "postgres://u@h/db" || !c.SecureCookies() || c.PublicURL != "https://range.example" {
		t.Fatalf("postgres/https: %+v", c)
	}
}

func TestBadSettingsAreReportedTogether(t *testing.T) {
	vars := map[string]string{
		"SAKIMORI_REGISTRATION": "anyone", "SAKIMORI_CORS_ORIGINS": "*",
		"SAKIMORI_TRUSTED_PROXIES": "not-an-ip", "SAKIMORI_PUBLIC_URL": "ftp://x",
	}
	_, err := Load("serve", nil, env(vars))
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{"registration", "cors-origins", "trusted-proxies", "public-url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
	if _, err := Load("serve", nil, env(map[string]string{"SAKIMORI_BODY_LIMIT": "lots"})); err == nil || !strings.Contains(err.Error(), "SAKIMORI_BODY_LIMIT") {
		t.Errorf("malformed number: %v", err)
	}
	if _, err := Load("serve", []string{"stray"}, env(nil)); err == nil {
		t.Error("stray argument accepted")
	}
}

func TestSecretsAreMadeOnceAndKeptPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secrets.json")
	first, created, err := LoadOrCreateSecrets(path)
	if err != nil || !created {
		t.Fatalf("first load: created=%v, %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file mode %v, %v", st.Mode().Perm(), err)
	}
	again, created, err := LoadOrCreateSecrets(path)
	if err != nil || created || string(again.FlagKey) != string(first.FlagKey) || again.SigningKeys[0].ID != first.SigningKeys[0].ID {
		t.Fatalf("second load changed the secrets (created=%v, %v)", created, err)
	}
}

func TestMalformedSecretsFileIsNotReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.json")
	for name, content := range map[string]string{
		"not json":  "{",
		"no keys":   `{"signing_keys":[],"flag_key":"` + strings.Repeat("A", 44) + `"}`,
		"short key": `{"signing_keys":[{"id":"a","seed":"AAAA"}],"flag_key":"` + strings.Repeat("A", 44) + `"}`,
	} {
		os.WriteFile(path, []byte(content), 0o600)
		if _, _, err := LoadOrCreateSecrets(path); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if data, _ := os.ReadFile(path); string(data) != content {
			t.Errorf("%s: the file was overwritten", name)
		}
	}
}

func TestScoreboardFreeze(t *testing.T) {
	c, err := Load("serve", nil, env(map[string]string{"SAKIMORI_SCOREBOARD_FREEZE": "2026-12-01T18:00:00+09:00"}))
	if err != nil || c.ScoreboardFreeze.UTC().Hour() != 9 {
		t.Fatalf("freeze: %v, %v", c.ScoreboardFreeze, err)
	}
	if _, err := Load("serve", nil, env(map[string]string{"SAKIMORI_SCOREBOARD_FREEZE": "tomorrow"})); err == nil {
		t.Fatal("a malformed freeze time was accepted")
	}
}

func TestEveryDefaultPassesItsCheck(t *testing.T) {
	d := Defaults()
	if d.LabCapacity != 50 || d.LabProvisionTimeout != 2*time.Minute || d.LabExtendBy != 30*time.Minute ||
		d.TerminalGrace != time.Minute || d.LabWebDeadline != 30*time.Second || d.ReadTimeout != 30*time.Second || d.LabPool != "10.213.0.0/16" {
		t.Fatalf("defaults = %+v", d)
	}
	loaded, err := Load("serve", nil, env(nil))
	if err != nil || loaded.PublicURL != d.PublicURL || loaded.SecretsFile != d.SecretsFile {
		t.Fatalf("Load with nothing set differs from Defaults: %+v, %v", loaded, err)
	}
}

func TestEverySettingBelongsToACommand(t *testing.T) {
	taken := map[string]int{}
	for _, set := range [][]string{ServerSettings, RehearsalSettings, ImageSettings, HealthcheckSettings} {
		for _, name := range set {
			if lookup(name) == nil {
				t.Errorf("%s is listed for a command but is no setting", name)
			}
			taken[name]++
		}
	}
	for _, o := range options {
		if taken[o.name] == 0 {
			t.Errorf("no command takes %s", o.name)
		}
	}
}

func TestBadValuesOfEveryKindAreReportedTogether(t *testing.T) {
	vars := map[string]string{
		"SAKIMORI_BODY_LIMIT": "lots", "SAKIMORI_LAB_EXTEND_BY": "a while", "SAKIMORI_LAB_CAPACITY": "0",
		"SAKIMORI_LOG_LEVEL": "chatty", "SAKIMORI_REGISTRATION": "anyone",
	}
	_, err := Load("serve", []string{"-lab-pool", "fd00::/64"}, env(vars))
	if err == nil {
		t.Fatal("bad settings accepted")
	}
	for _, want := range []string{
		`body-limit (SAKIMORI_BODY_LIMIT): "lots": not a whole number`,
		`lab-extend-by (SAKIMORI_LAB_EXTEND_BY): "a while": not a duration`,
		`lab-capacity (SAKIMORI_LAB_CAPACITY): 0: must be at least 1`,
		`log-level (SAKIMORI_LOG_LEVEL)`,
		`registration (SAKIMORI_REGISTRATION)`,
		`lab-pool: "fd00::/64": not an IPv4 prefix`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %s:\n%v", want, err)
		}
	}
}

// A command that registers only some settings reads those from its flags
// and the environment, and leaves the rest at their defaults.
func TestACommandReadsOnlyItsOwnSettings(t *testing.T) {
	vars := map[string]string{"SAKIMORI_LAB_POOL": "10.99.0.0/16", "SAKIMORI_DOCKER_HOST": "unix:///other.sock", "SAKIMORI_LAB_CAPACITY": "not read"}
	fs := flag.NewFlagSet("scenario test", flag.ContinueOnError)
	f := Register(fs, env(vars), RehearsalSettings...)
	if err := fs.Parse([]string{"-docker-host", "tcp://engine:2375"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	if c.LabPool != "10.99.0.0/16" || c.DockerHost != "tcp://engine:2375" || c.LabCapacity != Defaults().LabCapacity {
		t.Fatalf("config = %+v", c)
	}
	if fs.Lookup("listen") != nil {
		t.Fatal("a server setting was registered for scenario test")
	}
}

func TestHealthcheckURL(t *testing.T) {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	f := Register(fs, env(map[string]string{"SAKIMORI_HEALTHCHECK_URL": "http://10.0.0.2:8080/healthz"}), HealthcheckSettings...)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c, err := f.Config(); err != nil || c.HealthcheckURL != "http://10.0.0.2:8080/healthz" {
		t.Fatalf("from the environment: %q, %v", c.HealthcheckURL, err)
	}
	fs = flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	f = Register(fs, env(nil), HealthcheckSettings...)
	if err := fs.Parse([]string{"-url", "localhost:8080"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Config(); err == nil || !strings.Contains(err.Error(), "healthcheck-url") {
		t.Fatalf("a URL with no scheme: %v", err)
	}
}

func TestRegisteringAnUnknownSettingPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	Register(flag.NewFlagSet("x", flag.ContinueOnError), env(nil), "no-such-setting")
}

// A server told to listen on port 0 learns its port when it binds; a public
// URL that follows the listen address must follow it there, and one given
// explicitly must not move.
func TestPublicURLFollowsTheBoundPort(t *testing.T) {
	c, err := Load("serve", nil, env(map[string]string{"SAKIMORI_LISTEN": "127.0.0.1:0"}))
	if err != nil {
		t.Fatal(err)
	}
	c.ListeningAt("127.0.0.1:43210")
	if c.PublicURL != "http://localhost:43210" {
		t.Errorf("derived public URL after binding = %q, want http://localhost:43210", c.PublicURL)
	}
	c, _ = Load("serve", nil, env(map[string]string{"SAKIMORI_LISTEN": "127.0.0.1:0", "SAKIMORI_PUBLIC_URL": "https://range.example"}))
	c.ListeningAt("127.0.0.1:43210")
	if c.PublicURL != "https://range.example" {
		t.Errorf("a public URL that was set moved to %q", c.PublicURL)
	}
}

func TestMetricsSettings(t *testing.T) {
	c, err := Load("serve", []string{"-metrics-listen", "127.0.0.1:9100"}, env(map[string]string{"SAKIMORI_METRICS_TOKEN": "a-long-enough-token"}))
	if err != nil || c.MetricsListen != "127.0.0.1:9100" || c.MetricsToken != "a-long-enough-token" {
		t.Fatalf("metrics settings: %+v %v", c, err)
	}
	for _, bad := range [][]string{
		{"-metrics-listen", "9100"},
		{"-metrics-listen", "127.0.0.1:8080"}, // the public port itself
		{"-metrics-token", "short"},
		{"-metrics-token", "has white space in it, plenty"},
	} {
		if _, err := Load("serve", bad, env(nil)); err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(bad[0], "-")) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

// -h shows each setting's value from the environment, but never a secret's.
func TestHelpNeverShowsTheMetricsToken(t *testing.T) {
	var help strings.Builder
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(&help)
	Register(fs, env(map[string]string{"SAKIMORI_METRICS_TOKEN": "a-secret-metrics-token", "SAKIMORI_LISTEN": "127.0.0.1:9999"}), ServerSettings...)
	fs.PrintDefaults()
	if strings.Contains(help.String(), "a-secret-metrics-token") || !strings.Contains(help.String(), "127.0.0.1:9999") {
		t.Fatalf("help:\n%s", help.String())
	}
}
