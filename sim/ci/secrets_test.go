package ci

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/sim/ci/runner"
)

const keyBase = "6f1d0c2b9a8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b"

// secretsWorld hides the payments project's key, keeps the project off
// the shared runner, and has a nightly backup.
const secretsWorld = `
runner_token: runner-secret
db_key_base: ` + keyBase + `
backup: {ago: 20h}
users:
  - {name: ken, admin: true, tokens: [{name: laptop, token: glpat-ken, scopes: [api]}]}
  - {name: aya, tokens: [{name: laptop, token: glpat-aya, scopes: [api]}]}
  - {name: secops, auditor: true, tokens: [{name: audit, token: glpat-sec, scopes: [api]}]}
projects:
  - path: acme/api
    members: [ken, aya]
    variables:
      - {key: DEPLOY_KEY, value: deploy-key-value-1234, masked: true, hidden: true}
      - {key: REGION, value: us-east-1}
    history:
      - {author: Ken <ken@acme.example>, ago: 2d, message: First, files: {.gitlab-ci.yml: "unit:\n  script: ['echo \"$DEPLOY_KEY\" | rev']\n"}}
  - path: acme/payments
    members: [ken]
    shared_runners: false
    variables:
      - {key: PAYMENTS_SECRET, value: pay-secret-value-5678, masked: true, hidden: true}
    history:
      - {author: Ken <ken@acme.example>, ago: 9d, message: Payments, files: {.gitlab-ci.yml: "export:\n  script: [env]\n"}}
`

func secretsServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	return serverOf(t, secretsWorld)
}

func TestHiddenVariablesAreNeverShown(t *testing.T) {
	s, hs := secretsServer(t)
	code, body := call(t, "GET", hs.URL+"/api/v4/projects/acme%2Fapi/variables", "glpat-ken", nil)
	var vars []map[string]any
	if err := json.Unmarshal(body, &vars); code != 200 || err != nil || len(vars) != 2 {
		t.Fatalf("variables: %d %s", code, body)
	}
	if v, ok := vars[0]["value"]; !ok || v != nil || vars[0]["hidden"] != true || vars[1]["value"] != "us-east-1" {
		t.Errorf("an admin's API shows %v", vars)
	}
	pcode, page := call(t, "GET", hs.URL+"/acme/api/-/settings/ci_cd", "glpat-ken", nil)
	if pcode != 200 || !bytes.Contains(page, []byte("DEPLOY_KEY")) {
		t.Errorf("settings page: %d", pcode)
	}
	if bytes.Contains(page, []byte("deploy-key-value")) || bytes.Contains(body, []byte("deploy-key-value")) {
		t.Error("the hidden value is shown")
	}
	s.mu.Lock()
	held := s.projects[0].Variables[0]
	s.mu.Unlock()
	if held.Value != "" {
		t.Errorf("the CI keeps the hidden value in the clear: %q", held.Value)
	}
	// A new value is sealed too, and what a job gets is the new one.
	if code, body := call(t, "PUT", hs.URL+"/api/v4/projects/acme%2Fapi/variables/DEPLOY_KEY", "glpat-ken", strings.NewReader("value=rotated-key-value-99"),
		"Content-Type", "application/x-www-form-urlencoded"); code != 200 || bytes.Contains(body, []byte("rotated")) {
		t.Errorf("rotate: %d %s", code, body)
	}
	s.mu.Lock()
	got, err := runner.Open(keyBase, s.projects[0].Variables[0].sealed)
	s.mu.Unlock()
	if err != nil || got != "rotated-key-value-99" {
		t.Errorf("sealed %q, %v", got, err)
	}
}

// The runner takes a job whose hidden variable comes sealed, opens it
// with its own key and runs the real script; a runner with another key
// fails the job rather than run it without the secret. The payments
// project's jobs are never handed out.
func TestRunnerOpensHiddenVariables(t *testing.T) {
	for _, prog := range []string{"git", "bash", "rev"} {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("no %s", prog)
		}
	}
	s, hs := secretsServer(t)
	s.mu.Lock()
	payments := s.startPipeline(s.projects[1], "web")
	good := s.startPipeline(s.projects[0], "web")
	s.mu.Unlock()
	runJob := func(key string) {
		r := &runner.Runner{CI: hs.URL, Token: "runner-secret", Hostname: "runner-1", Builds: t.TempDir(),
			Env: runner.BaseEnv(os.Getenv), DBKeyBase: key}
		code, body := call(t, "POST", hs.URL+"/api/v4/jobs/request", "", strings.NewReader(`{"runner": "runner-1"}`), "Runner-Token", "runner-secret")
		var j runner.Job
		if err := json.Unmarshal(body, &j); code != 201 || err != nil {
			t.Fatalf("take: %d %s", code, body)
		}
		if j.Project != "acme/api" || j.Variables[0].Value != "" || j.Variables[0].Sealed == nil || bytes.Contains(body, []byte("deploy-key")) {
			t.Fatalf("the job as sent: %s", body)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		r.RunJob(ctx, &j)
	}
	state := func(pl *Pipeline) (string, string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return pl.Status, string(pl.Jobs[0].Trace)
	}
	runJob(keyBase)
	if status, trace := state(good); status != "success" || !strings.Contains(trace, "4321-eulav-yek-yolped") {
		t.Errorf("with the key: %s\n%s", status, trace)
	}
	s.mu.Lock()
	other := s.startPipeline(s.projects[0], "web")
	s.mu.Unlock()
	runJob(strings.Repeat("x", 64))
	if status, trace := state(other); status != "failed" || !strings.Contains(trace, "cannot open the hidden variable DEPLOY_KEY") {
		t.Errorf("with another key: %s\n%s", status, trace)
	}
	code, _ := call(t, "POST", hs.URL+"/api/v4/jobs/request", "", strings.NewReader("{}"), "Runner-Token", "runner-secret")
	if status, _ := state(payments); code != 204 || status != "pending" {
		t.Errorf("a project without runners: %d, pipeline %s", code, status)
	}
}

// The backup is an admin's only; its dump's sealed values open with
// Python's cryptography (an independent AES-GCM) and the first 32
// characters of db_key_base, as GitLab's attr_encrypted does.
func TestBackupHoldsSealedVariables(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil || exec.Command(py, "-c", "import cryptography").Run() != nil {
		t.Skip("no python3 cryptography")
	}
	_, hs := secretsServer(t)
	if code, _ := call(t, "GET", hs.URL+"/-/admin/backups", "glpat-aya", nil); code != 403 {
		t.Errorf("a member lists backups: %d", code)
	}
	if code, _ := call(t, "GET", hs.URL+"/-/admin/backups", "", nil); code != 403 {
		t.Errorf("no one lists backups: %d", code)
	}
	code, body := call(t, "GET", hs.URL+"/-/admin/backups", "glpat-ken", nil)
	var list []struct{ Name, Path string }
	if err := json.Unmarshal(body, &list); code != 200 || err != nil || len(list) != 1 || !strings.HasSuffix(list[0].Name, "_17.5.2_gitlab_backup.tar") {
		t.Fatalf("list: %d %s", code, body)
	}
	if code, _ := call(t, "GET", hs.URL+"/-/admin/backups/other.tar", "glpat-ken", nil); code != 404 {
		t.Errorf("a backup that is not there: %d", code)
	}
	code, archive := call(t, "GET", hs.URL+list[0].Path, "glpat-ken", nil)
	if code != 200 {
		t.Fatalf("download: %d", code)
	}
	dump := fileInTar(t, archive, "db/database.sql.gz")
	zr, err := gzip.NewReader(bytes.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	sql, _ := io.ReadAll(zr)
	if bytes.Contains(sql, []byte("pay-secret")) || bytes.Contains(sql, []byte(keyBase[:32])) {
		t.Fatal("the dump holds a secret or the key in the clear")
	}
	var row []string
	for _, line := range strings.Split(string(sql), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 13 && f[1] == "PAYMENTS_SECRET" {
			row = f
		}
	}
	if row == nil || row[6] != "2" || row[12] != "t" {
		t.Fatalf("no payments row in:\n%s", sql)
	}
	const open = `import base64, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key, value, iv = sys.argv[1:4]
print(AESGCM(key[:32].encode()).decrypt(base64.b64decode(iv), base64.b64decode(value), None).decode())`
	out, err := exec.Command(py, "-c", open, keyBase, row[3], row[5]).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "pay-secret-value-5678" {
		t.Errorf("python opened %q: %v", out, err)
	}
}

func fileInTar(t *testing.T, archive []byte, name string) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not in the tar: %v", name, err)
		}
		if h.Name == name {
			b, _ := io.ReadAll(tr)
			return b
		}
	}
}

func TestParseWorldRefusesHiddenWithoutAKey(t *testing.T) {
	for _, bad := range []string{
		strings.Replace(secretsWorld, "db_key_base: "+keyBase, "db_key_base: short", 1),
		strings.Replace(strings.Replace(secretsWorld, "db_key_base: "+keyBase, "", 1), "backup: {ago: 20h}", "", 1),
		strings.Replace(secretsWorld, "value: deploy-key-value-1234, masked: true", "value: deploy-key-value-1234, masked: false", 1),
		strings.Replace(secretsWorld, "ago: 20h", "ago: soon", 1),
	} {
		if _, err := ParseWorld(bad); err == nil {
			t.Errorf("accepted:\n%s", bad)
		}
	}
}

// An auditor reads every project and the logs, and may not change
// anything or take the backup.
func TestAuditorReadsAndChangesNothing(t *testing.T) {
	_, hs := secretsServer(t)
	for _, path := range []string{"/api/v4/projects/acme%2Fpayments", "/api/v4/projects/acme%2Fpayments/variables", "/-/admin/logs/access.ndjson"} {
		if code, body := call(t, "GET", hs.URL+path, "glpat-sec", nil); code != 200 || bytes.Contains(body, []byte("pay-secret")) {
			t.Errorf("auditor reads %s: %d %s", path, code, body)
		}
	}
	if code, _ := call(t, "GET", hs.URL+"/-/admin/logs/access.ndjson", "glpat-aya", nil); code != 403 {
		t.Errorf("a member reads the admin logs: %d", code)
	}
	if code, _ := call(t, "GET", hs.URL+"/-/admin/backups", "glpat-sec", nil); code != 403 {
		t.Errorf("an auditor lists backups: %d", code)
	}
	// The admin area's index shows each what they may read.
	if code, page := call(t, "GET", hs.URL+"/-/admin", "glpat-sec", nil); code != 200 || !bytes.Contains(page, []byte(`href="admin/logs/access.ndjson"`)) || bytes.Contains(page, []byte("backups")) {
		t.Errorf("the auditor's admin area: %d %s", code, page)
	}
	if code, page := call(t, "GET", hs.URL+"/-/admin", "glpat-ken", nil); code != 200 || !bytes.Contains(page, []byte(`href="admin/backups"`)) {
		t.Errorf("the admin's admin area: %d %s", code, page)
	}
	if code, _ := call(t, "GET", hs.URL+"/-/admin", "glpat-aya", nil); code != 403 {
		t.Errorf("a member's admin area: %d", code)
	}
	for _, w := range []struct{ method, path, body string }{
		{"PUT", "/api/v4/projects/acme%2Fpayments/variables/PAYMENTS_SECRET", "value=auditor-was-here-1"},
		{"PUT", "/api/v4/projects/acme%2Fapi/repository/files/.gitlab-ci.yml", "branch=main&content=x&commit_message=x"},
		{"POST", "/api/v4/projects/acme%2Fapi/pipeline", ""},
	} {
		if code, _ := call(t, w.method, hs.URL+w.path, "glpat-sec", strings.NewReader(w.body), "Content-Type", "application/x-www-form-urlencoded"); code != 403 {
			t.Errorf("auditor %s %s: %d", w.method, w.path, code)
		}
	}
}

// Erasing a finished job's log leaves the job, marked, and takes a
// writer: an auditor may not, nor may anyone erase a running job.
func TestEraseAJobsLog(t *testing.T) {
	s, hs := secretsServer(t)
	s.mu.Lock()
	pl := s.startPipeline(s.projects[0], "web")
	j := pl.Jobs[0]
	s.mu.Unlock()
	erase := hs.URL + "/api/v4/projects/acme%2Fapi/jobs/" + itoa(j.ID) + "/erase"
	if code, _ := call(t, "POST", erase, "glpat-ken", nil); code != 403 {
		t.Errorf("a job not run yet erased: %d", code)
	}
	s.mu.Lock()
	j.Status, j.Trace, j.Finished = "success", []byte("DB_KEY_BASE=secret\n"), time.Now()
	s.mu.Unlock()
	if code, _ := call(t, "POST", erase, "glpat-sec", nil); code != 403 {
		t.Errorf("an auditor erased a job: %d", code)
	}
	if code, _ := call(t, "POST", hs.URL+"/api/v4/projects/acme%2Fapi/jobs/1/erase", "glpat-ken", nil); code != 404 {
		t.Errorf("no such job: %d", code)
	}
	code, body := call(t, "POST", erase, "glpat-ken", nil)
	if code != 201 || !bytes.Contains(body, []byte(`"erased_at"`)) {
		t.Fatalf("erase: %d %s", code, body)
	}
	if code, trace := call(t, "GET", hs.URL+"/api/v4/projects/acme%2Fapi/jobs/"+itoa(j.ID)+"/trace", "glpat-ken", nil); code != 200 || len(trace) != 0 {
		t.Errorf("the trace after erasing: %d %q", code, trace)
	}
	if code, page := call(t, "GET", hs.URL+"/acme/api/-/jobs/"+itoa(j.ID), "glpat-ken", nil); code != 200 || !bytes.Contains(page, []byte("Job has been erased by ken")) {
		t.Errorf("the job's page: %d %s", code, page)
	}
}
