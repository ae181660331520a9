package ci

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/sim/ci/runner"
	"github.com/sakimori/sakimori/sim/labkit"
)

// world is a small CI: an admin, a bot with a clone-only token, and two
// projects, one private to the admin.
const world = `
name: Test CI
runner_token: runner-secret
addresses: {"127.0.0.1": 10.20.4.15}
users:
  - name: ken
    admin: true
    tokens: [{name: laptop, token: glpat-ken, scopes: [api]}]
  - name: bot
    tokens: [{name: deploy, token: glpat-bot, scopes: [read_repository]}, {name: reader, token: glpat-read, scopes: [read_api]}]
projects:
  - path: acme/api
    members: [ken, bot]
    variables:
      - {key: SECRET_KEY, value: s3cr3t-value, masked: true}
      - {key: REGION, value: us-east-1}
    history:
      - author: Ken <ken@acme.example>
        ago: 2d
        message: First
        files:
          README.md: "# api\n"
          .gitlab-ci.yml: |
            stages: [test, deploy]
            release:
              stage: deploy
              script: [echo release]
            unit:
              script: [echo unit]
  - path: acme/infra
    members: [ken]
    history:
      - {author: Ken <ken@acme.example>, ago: 3d, message: Infra, files: {deploy.env: "DB=prod\n"}}
`

func newServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	return serverOf(t, world)
}

// serverOf serves the CI a world describes for the test's length.
func serverOf(t *testing.T, text string) (*Server, *httptest.Server) {
	t.Helper()
	w, err := ParseWorld(text)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

func call(t *testing.T, method, url, token string, body io.Reader, header ...string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if token != "" {
		req.Header.Set("PRIVATE-TOKEN", token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func TestParsePipelineOrdersByStage(t *testing.T) {
	jobs, err := ParsePipeline([]byte("stages: [test, deploy]\nrelease:\n  stage: deploy\n  script: [b]\n.tmpl:\n  script: [x]\nunit:\n  script: [a]\nvariables: {A: b}\n"))
	if err != nil || len(jobs) != 2 || jobs[0].Name != "unit" || jobs[1].Name != "release" {
		t.Fatalf("jobs %+v, %v", jobs, err)
	}
	for text, want := range map[string]string{
		"unit: {stage: test}\n":               "should implement a script",
		"unit: {stage: lint, script: [a]}\n":  "chosen stage lint does not exist",
		"variables: {A: b}\n":                 "at least one visible job",
		"- a list\n":                          "not a mapping",
		"unit: {script: [a]\n":                ConfigFile,
		"stages: lint\nunit: {script: [a]}\n": "stages",
	} {
		if _, err := ParsePipeline([]byte(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

func TestParseWorldRefusesWhatCannotRun(t *testing.T) {
	for text, want := range map[string]string{
		"projects: [{path: a/b, history: [{ago: 1d, message: m}]}]": "runner_token",
		"runner_token: x": "no projects",
		"runner_token: x\nprojects: [{path: a/b, schedule: soon, history: [{ago: 1d}]}]":                          "schedule",
		"runner_token: x\nprojects: [{path: a/b}]":                                                                "no commits",
		"runner_token: x\naddresses: {nowhere: 1.2.3.4}\nprojects: [{path: a/b}]":                                 "addresses",
		"runner_token: x\nusers: [{name: u, tokens: [{name: t}]}]\nprojects: [{path: a/b, history: [{ago: 1d}]}]": "no value",
	} {
		if _, err := ParseWorld(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// The real git client clones a private project only with a token that
// may read it, and is asked for credentials without one.
func TestGitClonesPrivateProjectsWithAToken(t *testing.T) {
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	s, hs := newServer(t)
	host := strings.TrimPrefix(hs.URL, "http://")
	clone := func(user, token, path string) error {
		dir := filepath.Join(t.TempDir(), "clone")
		url := "http://" + host + "/" + path + ".git"
		if token != "" {
			url = "http://" + user + ":" + token + "@" + host + "/" + path + ".git"
		}
		cmd := exec.Command(gitBin, "clone", "-q", url, dir)
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "HOME="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			return &cloneError{string(out)}
		}
		data, err := os.ReadFile(filepath.Join(dir, "README.md"))
		if err == nil && string(data) != "# api\n" {
			t.Errorf("README %q", data)
		}
		return nil
	}
	if err := clone("", "", "acme/api"); err == nil || !strings.Contains(err.Error(), "Authentication failed") && !strings.Contains(err.Error(), "could not read Username") {
		t.Errorf("anonymous clone: %v", err)
	}
	if err := clone("bot", "glpat-bot", "acme/api"); err != nil {
		t.Errorf("bot clone: %v", err)
	}
	if err := clone("bot", "glpat-bot", "acme/infra"); err == nil {
		t.Error("bot cloned a project it is not a member of")
	}
	s.mu.Lock()
	s.tokens[1].Revoked = true // the bot's deploy token
	s.mu.Unlock()
	if err := clone("bot", "glpat-bot", "acme/api"); err == nil {
		t.Error("a revoked token cloned")
	}
	// git asks without credentials first, then with them: one line each.
	s.mu.Lock()
	defer s.mu.Unlock()
	var allowed, refused int
	for _, e := range s.access {
		switch {
		case e["kind"] != "git":
		case e["status"] == http.StatusOK && e["token_name"] == "deploy" && e["remote_ip"] == "10.20.4.15" && e["meta.project"] == "acme/api":
			allowed++
		case e["status"] == http.StatusNotFound && e["meta.project"] == "acme/infra":
			refused++
		}
	}
	if allowed != 1 || refused != 1 {
		t.Fatalf("git access log: %d allowed, %d refused: %v", allowed, refused, s.access)
	}
}

type cloneError struct{ out string }

func (e *cloneError) Error() string { return e.out }

func TestAPIAnswersByTokenAndScope(t *testing.T) {
	_, hs := newServer(t)
	api := hs.URL + "/api/v4"
	if code, body := call(t, "GET", api+"/projects", "", nil); code != 401 || !strings.Contains(string(body), "401 Unauthorized") {
		t.Errorf("no token: %d %s", code, body)
	}
	if code, body := call(t, "PUT", api+"/projects/acme%2Fapi/variables/REGION", "glpat-read", strings.NewReader("value=eu-north-1")); code != 403 || !strings.Contains(string(body), "insufficient_scope") {
		t.Errorf("read_api writing: %d %s", code, body)
	}
	if code, body := call(t, "GET", api+"/projects/acme%2Finfra", "glpat-read", nil); code != 404 || !strings.Contains(string(body), "404 Project Not Found") {
		t.Errorf("not a member: %d %s", code, body)
	}
	code, body := call(t, "GET", api+"/projects", "glpat-read", nil)
	var projects []map[string]any
	_ = json.Unmarshal(body, &projects)
	if code != 200 || len(projects) != 1 || projects[0]["path_with_namespace"] != "acme/api" {
		t.Errorf("bot's projects: %d %s", code, body)
	}
	if code, body := call(t, "PUT", api+"/projects/acme%2Fapi/variables/SECRET_KEY", "glpat-ken", strings.NewReader("value=short"), "Content-Type", "application/x-www-form-urlencoded"); code != 400 {
		t.Errorf("short masked value: %d %s", code, body)
	}
	if code, body := call(t, "PUT", api+"/projects/1/variables/NOPE", "glpat-ken", strings.NewReader("value=whatever1")); code != 404 {
		t.Errorf("missing variable: %d %s", code, body)
	}
	if code, body := call(t, "PUT", api+"/projects/1/variables/SECRET_KEY", "glpat-ken", strings.NewReader(`{"value": "a-new-secret"}`), "Content-Type", "application/json"); code != 200 || !strings.Contains(string(body), "a-new-secret") {
		t.Errorf("rotate a variable: %d %s", code, body)
	}
	if code, body := call(t, "GET", api+"/projects/1/repository/files/README.md/raw?ref=main", "glpat-read", nil); code != 200 || string(body) != "# api\n" {
		t.Errorf("raw file: %d %q", code, body)
	}
}

// curl, GitLab's documented client, changes a variable.
func TestCurlUpdatesAVariable(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl")
	}
	s, hs := newServer(t)
	out, err := exec.Command(curl, "-sf", "-X", "PUT", "-H", "PRIVATE-TOKEN: glpat-ken", hs.URL+"/api/v4/projects/acme%2Fapi/variables/SECRET_KEY", "--data-urlencode", "value=rotated+value/42").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"value":"rotated+value/42"`) {
		t.Fatalf("curl: %s %v", out, err)
	}
	if s.projects[0].Variables[0].Value != "rotated+value/42" {
		t.Errorf("kept %q", s.projects[0].Variables[0].Value)
	}
}

func TestCommittingTheConfigStartsAPipeline(t *testing.T) {
	s, hs := newServer(t)
	url := hs.URL + "/api/v4/projects/acme%2Fapi/repository/files/.gitlab-ci.yml"
	head := s.projects[0].repo.Head()
	if code, _ := call(t, "PUT", url, "glpat-ken", strings.NewReader(`{"branch": "dev", "content": "x", "commit_message": "m"}`), "Content-Type", "application/json"); code != 400 {
		t.Errorf("wrong branch: %d", code)
	}
	if code, _ := call(t, "PUT", hs.URL+"/api/v4/projects/1/repository/files/nope.txt", "glpat-ken", strings.NewReader(`{"branch": "main", "content": "x", "commit_message": "m"}`), "Content-Type", "application/json"); code != 400 {
		t.Errorf("missing file: %d", code)
	}
	body := `{"branch": "main", "commit_message": "Break it", "content": "unit: {stage: nowhere, script: [a]}\n"}`
	if code, b := call(t, "PUT", url, "glpat-ken", strings.NewReader(body), "Content-Type", "application/json"); code != 200 {
		t.Fatalf("commit: %d %s", code, b)
	}
	p := s.projects[0]
	if p.repo.Head() == head || len(p.Pipelines) != 1 {
		t.Fatalf("head moved: %t, pipelines %d", p.repo.Head() != head, len(p.Pipelines))
	}
	pl := p.Pipelines[0]
	if pl.Source != "push" || pl.Status != "failed" || !strings.Contains(pl.Error, "chosen stage nowhere") || len(pl.Jobs) != 0 {
		t.Errorf("pipeline %+v", pl)
	}
}

// A runner takes jobs in stage order, appends to their log, sends their
// events and ends them; a failed job skips the rest of its pipeline.
func TestRunnerProtocol(t *testing.T) {
	s, hs := newServer(t)
	api := hs.URL + "/api/v4/jobs"
	if code, _ := call(t, "POST", api+"/request", "", strings.NewReader("{}"), "Runner-Token", "wrong"); code != 403 {
		t.Errorf("wrong runner token: %d", code)
	}
	if code, _ := call(t, "POST", api+"/request", "", strings.NewReader("{}"), "Runner-Token", "runner-secret"); code != 204 {
		t.Errorf("nothing pending: %d", code)
	}
	s.mu.Lock()
	pl := s.startPipeline(s.projects[0], "schedule")
	s.mu.Unlock()
	take := func() runner.Job {
		code, body := call(t, "POST", api+"/request", "", strings.NewReader(`{"runner": "runner-1"}`), "Runner-Token", "runner-secret")
		var j runner.Job
		if err := json.Unmarshal(body, &j); code != 201 || err != nil {
			t.Fatalf("take: %d %s", code, body)
		}
		return j
	}
	j := take()
	host := strings.TrimPrefix(hs.URL, "http://")
	if j.Name != "unit" || j.RepoURL != "http://gitlab-ci-token:"+j.Token+"@"+host+"/acme/api.git" || len(j.Variables) != 2 || j.Commit != pl.SHA {
		t.Fatalf("job %+v", j)
	}
	if code, _ := call(t, "PATCH", api+"/"+itoa(j.ID)+"/trace", "", strings.NewReader("$ echo unit\n"), "Job-Token", "wrong"); code != 403 {
		t.Errorf("wrong job token: %d", code)
	}
	call(t, "PATCH", api+"/"+itoa(j.ID)+"/trace", "", strings.NewReader("$ echo unit\n"), "Job-Token", j.Token)
	call(t, "PATCH", api+"/"+itoa(j.ID)+"/trace", "", strings.NewReader("unit\n"), "Job-Token", j.Token)
	call(t, "POST", api+"/"+itoa(j.ID)+"/events", "", strings.NewReader(`{"EventID": 1, "Image": "/usr/bin/echo"}`+"\nnot json\n[1]\n"), "Job-Token", j.Token)
	if code, _ := call(t, "PUT", api+"/"+itoa(j.ID), "", strings.NewReader(`{"state": "maybe"}`), "Job-Token", j.Token); code != 400 {
		t.Errorf("bad state: %d", code)
	}
	if code, _ := call(t, "PUT", api+"/"+itoa(j.ID), "", strings.NewReader(`{"state": "success", "exit_code": 0}`), "Job-Token", j.Token); code != 200 {
		t.Errorf("finish: %d", code)
	}
	if code, _ := call(t, "PATCH", api+"/"+itoa(j.ID)+"/trace", "", strings.NewReader("late"), "Job-Token", j.Token); code != 403 {
		t.Errorf("a finished job's token still works: %d", code)
	}
	if string(s.jobs[j.ID].Trace) != "$ echo unit\nunit\n" || len(s.runner) != 1 || s.runner[0]["Image"] != "/usr/bin/echo" {
		t.Errorf("trace %q, events %v", s.jobs[j.ID].Trace, s.runner)
	}
	if pl.Status != "running" {
		t.Errorf("pipeline %s after its first job", pl.Status)
	}
	j2 := take()
	if j2.Name != "release" {
		t.Fatalf("second job %s", j2.Name)
	}
	call(t, "PUT", api+"/"+itoa(j2.ID), "", strings.NewReader(`{"state": "success"}`), "Job-Token", j2.Token)
	if pl.Status != "success" {
		t.Errorf("pipeline %s after all passed", pl.Status)
	}

	s.mu.Lock()
	pl2 := s.startPipeline(s.projects[0], "api")
	s.mu.Unlock()
	j3 := take()
	call(t, "PUT", api+"/"+itoa(j3.ID), "", strings.NewReader(`{"state": "failed", "exit_code": 1}`), "Job-Token", j3.Token)
	if pl2.Status != "failed" || pl2.Jobs[1].Status != "skipped" || pl2.IID != pl.IID+1 || pl2.ID != pl.ID+1 {
		t.Errorf("after a failure: %s, %s, iid %d, id %d", pl2.Status, pl2.Jobs[1].Status, pl2.IID, pl2.ID)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestPlatformChannelNeedsTheSimKey(t *testing.T) {
	s, hs := newServer(t)
	s.runner = append(s.runner, map[string]any{"EventID": 3})
	if code, _ := call(t, "GET", hs.URL+"/_sim/events?log=runner", "", nil); code != 403 {
		t.Errorf("no key: %d", code)
	}
	if code, _ := call(t, "GET", hs.URL+"/_sim/events?log=other", "", nil, labkit.SimKeyHeader, "sim-key"); code != 400 {
		t.Errorf("bad log: %d", code)
	}
	code, body := call(t, "GET", hs.URL+"/_sim/events?log=runner", "", nil, labkit.SimKeyHeader, "sim-key")
	if code != 200 || !bytes.Equal(bytes.TrimSpace(body), []byte(`{"EventID":3}`)) {
		t.Errorf("events: %d %s", code, body)
	}
	code, body = call(t, "POST", hs.URL+"/_sim/pipeline?project=acme/api", "", nil, labkit.SimKeyHeader, "sim-key")
	if code != 201 || len(s.projects[0].Pipelines) != 1 {
		t.Errorf("pipeline: %d %s", code, body)
	}
	if code, _ := call(t, "GET", hs.URL+"/-/admin/logs/runner.ndjson", "glpat-read", nil); code != 403 {
		t.Errorf("a non-admin read the logs: %d", code)
	}
	if code, body := call(t, "GET", hs.URL+"/-/admin/logs/runner.ndjson", "glpat-ken", nil); code != 200 || !strings.Contains(string(body), `"EventID":3`) {
		t.Errorf("admin logs: %d %s", code, body)
	}
}

func TestTokensRotateAndRevoke(t *testing.T) {
	_, hs := newServer(t)
	api := hs.URL + "/api/v4/personal_access_tokens"
	code, body := call(t, "GET", api, "glpat-read", nil)
	var own []map[string]any
	_ = json.Unmarshal(body, &own)
	if code != 200 || len(own) != 2 {
		t.Errorf("the bot's own tokens: %d %s", code, body)
	}
	code, body = call(t, "POST", api+"/2/rotate", "glpat-ken", nil)
	var fresh map[string]any
	_ = json.Unmarshal(body, &fresh)
	if code != 200 || !strings.HasPrefix(fresh["token"].(string), "glpat-") {
		t.Fatalf("rotate: %d %s", code, body)
	}
	if code, _ := call(t, "POST", api+"/2/rotate", "glpat-ken", nil); code != 400 {
		t.Errorf("rotating a revoked token: %d", code)
	}
	if code, _ := call(t, "DELETE", api+"/3", "glpat-read", nil); code != 403 {
		t.Errorf("a read_api token revoked: %d", code)
	}
	if code, _ := call(t, "DELETE", api+"/99", "glpat-ken", nil); code != 404 {
		t.Errorf("revoking a token that is not there: %d", code)
	}
	if code, _ := call(t, "DELETE", api+"/3", "glpat-ken", nil); code != 204 {
		t.Errorf("the admin revoking: %d", code)
	}
	if code, _ := call(t, "GET", hs.URL+"/api/v4/user", "glpat-read", nil); code != 401 {
		t.Errorf("a revoked token: %d", code)
	}
}

// The web view renders its pages and never shows a masked value.
func TestWebViewHidesMaskedValues(t *testing.T) {
	s, hs := newServer(t)
	s.mu.Lock()
	pl := s.startPipeline(s.projects[0], "schedule")
	pl.Jobs[0].Trace = []byte("$ echo unit\n[MASKED]\n")
	s.mu.Unlock()
	for path, want := range map[string]string{
		"/":         "acme/api",
		"/acme/api": "#1",
		"/acme/api/-/jobs/" + itoa(pl.Jobs[0].ID): "[MASKED]",
		"/acme/api/-/blob/main/README.md":         "# api",
		"/acme/api/-/settings/ci_cd":              "SECRET_KEY",
	} {
		code, body := call(t, "GET", hs.URL+path, "", nil)
		if code != 200 || !strings.Contains(string(body), want) || strings.Contains(string(body), "s3cr3t-value") {
			t.Errorf("%s: %d, has %q: %t", path, code, want, strings.Contains(string(body), want))
		}
	}
	if code, _ := call(t, "GET", hs.URL+"/acme/nope", "", nil); code != 404 {
		t.Errorf("a missing project: %d", code)
	}
}
