package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/store"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutine
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

var (
	listening = regexp.MustCompile(`listening\s+(127\.0\.0\.1:\d+)`)
	setupCode = regexp.MustCompile(`one-time code:\s+(\S+)`)
)

// TestServeEndToEnd runs the real command: it starts on a fresh data
// directory, prints the summary with a setup code, accepts first-run setup
// over HTTP, and stops cleanly when its context ends (as on SIGTERM).
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"SAKIMORI_DATA_DIR": dir, "SAKIMORI_LISTEN": "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, nil, io.Discard, out) }()

	var addr, code string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			if c := setupCode.FindStringSubmatch(out.String()); c != nil {
				code = c[1]
			}
			break
		}
	}
	if addr == "" || code == "" {
		t.Fatalf("no address or setup code in the start-up block:\n%s", out.String())
	}
	if strings.Contains(out.String(), "flag_key") || strings.Contains(out.String(), "seed") {
		t.Fatal("secrets in the output")
	}

	body := `{"setup_code":"` + code + `","email":"root@range.test","password":"correct horse battery"}`
	resp, err := http.Post("http://"+addr+"/api/v1/setup", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var session struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&session)
	resp.Body.Close()
	if resp.StatusCode != 201 || session.AccessToken == "" {
		t.Fatalf("setup: %d", resp.StatusCode)
	}

	var health bytes.Buffer
	if err := run(ctx, []string{"healthcheck", "-url", "http://" + addr + "/healthz"}, env, nil, &health, io.Discard); err != nil {
		t.Fatalf("healthcheck of a running server: %v", err)
	}
	if err := run(ctx, []string{"healthcheck", "-url", "http://" + addr + "/no-such-page.js"}, env, nil, io.Discard, io.Discard); err == nil {
		t.Fatal("healthcheck passed on a 404")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}

	// A second start on the same data: no new setup code, same secrets.
	var status bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "status"}, env, nil, &status, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(status.String(), "00001  applied") {
		t.Fatalf("migrate status:\n%s", status.String())
	}
}

func TestUserCreate(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"SAKIMORI_DATA_DIR": dir})
	var out bytes.Buffer
	err := run(context.Background(), []string{"user", "create", "-email", "Teach@Range.Test", "-role", "instructor"},
		env, strings.NewReader("long enough password\n"), &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "created instructor teach@range.test") {
		t.Fatalf("user create: %v\n%s", err, out.String())
	}
	err = run(context.Background(), []string{"user", "create", "-email", "teach@range.test"},
		env, strings.NewReader("long enough password\n"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "email_taken") {
		t.Fatalf("duplicate: %v", err)
	}
	out.Reset()
	err = run(context.Background(), []string{"user", "create", "-email", "a@range.test", "-role", "admin", "-generate-password"},
		env, nil, &out, io.Discard)
	if err != nil || !regexp.MustCompile(`password: \S{24}`).MatchString(out.String()) {
		t.Fatalf("generated password: %v\n%s", err, out.String())
	}
	if err := run(context.Background(), []string{"user", "create", "-email", "b@range.test"}, env, strings.NewReader(""), io.Discard, io.Discard); err == nil {
		t.Fatal("created a user with no password")
	}

	// Accounts made at the command line are in the audit log, by the operator.
	db, err := store.Open(context.Background(), store.Options{DataDir: dir, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, err := audit.NewLog(db.Audit(), nil).Read(context.Background(), audit.Filter{Action: audit.UserCreate})
	if err != nil || len(page.Entries) != 2 || page.Entries[0].ActorRole != "operator" || page.Entries[0].Detail["email"] != "a@range.test" {
		t.Fatalf("audit entries of the accounts made: %+v %v", page, err)
	}
}

func TestHealthcheckOfAStoppedServerFails(t *testing.T) {
	if err := run(context.Background(), []string{"healthcheck", "-url", "http://127.0.0.1:1/healthz"}, envOf(nil), nil, io.Discard, io.Discard); err == nil {
		t.Fatal("healthcheck passed with nothing listening")
	}
}

func TestUnknownCommandsAndFlags(t *testing.T) {
	for _, args := range [][]string{{}, {"launch"}, {"serve", "-no-such-flag"}, {"migrate", "sideways"}, {"user", "delete"}} {
		if err := run(context.Background(), args, envOf(nil), nil, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

func TestScenarioValidate(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"scenario", "validate"}, envOf(nil), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "ok  orientation") {
		t.Fatalf("built-in catalogue: %v\n%s", err, out.String())
	}
	dir := t.TempDir()
	bad := dir + "/scenario.yaml"
	os.WriteFile(bad, []byte("id: x\nhosts:\n  - name: a\n    privileged: true\n"), 0o644)
	out.Reset()
	err := run(context.Background(), []string{"scenario", "validate", dir}, envOf(nil), nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "hosts[0].privileged: privileged hosts are never allowed") {
		t.Fatalf("bad manifest: %v\n%s", err, out.String())
	}
	// A folder is validated with the solution.yaml beside its manifest.
	folder := filepath.Join(t.TempDir(), "orientation")
	manifest, _ := fs.ReadFile(scenarios.Files(), "orientation/scenario.yaml")
	os.MkdirAll(folder, 0o755)
	os.WriteFile(filepath.Join(folder, "scenario.yaml"), manifest, 0o644)
	os.WriteFile(filepath.Join(folder, "solution.yaml"), []byte("- {objective: nope, answer: x}\n"), 0o644)
	out.Reset()
	err = run(context.Background(), []string{"scenario", "validate", folder}, envOf(nil), nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "solution[0].objective") {
		t.Fatalf("bad solution.yaml: %v\n%s", err, out.String())
	}
	// And with its Japanese, which must match the manifest's ids.
	japanese, _ := fs.ReadFile(scenarios.Files(), "orientation/text.ja.yaml")
	os.WriteFile(filepath.Join(folder, "solution.yaml"), []byte("- {objective: first-flag, answer: x}\n- {objective: field-notes, run: 'true'}\n"), 0o644)
	os.WriteFile(filepath.Join(folder, "text.ja.yaml"), append(japanese, "  web:9999: 古い画面\n"...), 0o644)
	out.Reset()
	err = run(context.Background(), []string{"scenario", "validate", folder}, envOf(nil), nil, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "text.ja.yaml: web_targets.web:9999: translates a web target the manifest no longer has") {
		t.Fatalf("stale Japanese: %v\n%s", err, out.String())
	}
	// SecBoK ids cannot be checked without an imported skill map: a
	// warning, and the scenario still validates.
	os.WriteFile(filepath.Join(folder, "text.ja.yaml"), japanese, 0o644)
	os.WriteFile(filepath.Join(folder, "scenario.yaml"), bytes.Replace(manifest, []byte("  - id: first-flag\n"), []byte("  - id: first-flag\n    secbok: [K0001]\n"), 1), 0o644)
	out.Reset()
	err = run(context.Background(), []string{"scenario", "validate", folder}, envOf(nil), nil, &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "warn orientation: SecBoK item ids are given but no SecBoK skill map is imported") {
		t.Fatalf("SecBoK ids without a skill map: %v\n%s", err, out.String())
	}
}
