package config

import (
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
