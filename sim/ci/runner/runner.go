// Package runner is a CI runner as a lab host runs it: it asks the lab's
// CI for jobs the way GitLab's runner does, runs each job's script with
// the host's real git and bash, streams the job's log back with masked
// variables hidden, and reports what the job's processes start and where
// they connect, in Sysmon for Linux's fields, as an endpoint sensor on a
// real runner would. It is the host a poisoned build tool runs on, and the
// sensor whose events tell the trainee what it did.
package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Runner takes jobs from one CI and runs them one at a time.
type Runner struct {
	CI        string       // the CI's base URL: http://ci
	Token     string       // the runner's token, sent as Runner-Token
	Hostname  string       // the runner's name to the CI, and the events' Computer
	Builds    string       // jobs' work trees go under it, one per project: /tmp/builds
	Env       []string     // what a job's environment starts from (BaseEnv)
	Addresses Addresses    // the story's addresses, for the events
	HTTP      *http.Client // nil: one with a timeout
	// DBKeyBase opens the hidden variables the CI sends sealed; it is
	// never put in a job's environment.
	DBKeyBase string
}

// idlePoll is how long the runner waits after the CI had no job for it.
const idlePoll = 2 * time.Second

// inherited are the only settings of the runner's own environment a job
// gets: the runner's token and the lab's settings stay with the runner.
var inherited = []string{"PATH", "HOME", "LANG"}

// BaseEnv is the environment a job starts from: the runner's PATH, HOME
// and LANG, as getenv gives them.
func BaseEnv(getenv func(string) string) []string {
	var out []string
	for _, k := range inherited {
		if v := getenv(k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// Run asks the CI for a job, runs it, and asks again, until ctx ends.
// A CI that cannot be reached is asked again later: the lab's hosts start
// in any order.
func (r *Runner) Run(ctx context.Context) error {
	for {
		job, err := r.requestJob(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			labkit.Logger.Warn("asking the CI for a job", "ci", r.CI, "err", err)
		case job != nil:
			r.RunJob(ctx, job)
			continue
		}
		if !labkit.Sleep(ctx, idlePoll) {
			return nil
		}
	}
}

// requestJob asks for the next job: nil when there is none.
func (r *Runner) requestJob(ctx context.Context) (*Job, error) {
	body, _ := json.Marshal(map[string]string{"runner": r.Hostname})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.CI+"/api/v4/jobs/request", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Runner-Token", r.Token)
	resp, err := r.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent:
		return nil, nil
	case http.StatusCreated:
		var job Job
		if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&job); err != nil {
			return nil, fmt.Errorf("the CI's job: %w", err)
		}
		return &job, nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return nil, fmt.Errorf("jobs/request: %s: %s", resp.Status, bytes.TrimSpace(msg))
}

// send makes one call about a running job, authenticated by its token.
func (r *Runner) send(ctx context.Context, job *Job, method, path, contentType string, body []byte) error {
	url := fmt.Sprintf("%s/api/v4/jobs/%d%s", r.CI, job.ID, path)
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Job-Token", job.Token)
	resp, err := r.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s jobs/%d%s: %s", method, job.ID, path, resp.Status)
	}
	return nil
}

func (r *Runner) client() *http.Client {
	if r.HTTP != nil {
		return r.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}
