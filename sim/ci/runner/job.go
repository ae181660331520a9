package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Job is a job as the CI hands it to a runner.
type Job struct {
	ID        int        `json:"id"`
	Token     string     `json:"token"`
	Project   string     `json:"project"`
	Pipeline  int        `json:"pipeline"`
	Name      string     `json:"name"`
	RepoURL   string     `json:"repo_url"`
	Commit    string     `json:"commit"`
	Variables []Variable `json:"variables"`
	Script    []string   `json:"script"`
	Timeout   int        `json:"timeout"` // seconds
}

// Variable is one of a job's CI/CD variables. A hidden one comes sealed
// (Sealed set, Value empty) and the runner opens it with its key.
type Variable struct {
	Key    string  `json:"key"`
	Value  string  `json:"value"`
	Masked bool    `json:"masked"`
	Sealed *Sealed `json:"sealed,omitempty"`
}

const (
	// defaultTimeout is a job's time limit when the CI gives none, GitLab's.
	defaultTimeout = time.Hour
	// watchEvery is how often the job's processes are looked at: often
	// enough to see a curl that lives a few tens of milliseconds.
	watchEvery = 10 * time.Millisecond
)

// RunJob runs one job and reports it to the CI: its log while it runs,
// its events, and at the end its state. It returns the state it reported
// ("success" or "failed") and the script's exit code.
func (r *Runner) RunJob(ctx context.Context, job *Job) (string, int) {
	unsealed := r.unseal(job)
	secrets := []string{job.Token}
	for _, v := range job.Variables {
		if v.Masked {
			secrets = append(secrets, v.Value)
		}
	}
	rep := &report{runner: r, job: job, log: newJobLog(secrets)}
	// The report outlives a runner that is stopping, to say how the job ended.
	streaming, stopStreaming := context.WithCancel(context.WithoutCancel(ctx))
	streamed := make(chan struct{})
	go func() {
		defer close(streamed)
		rep.stream(streaming, reportEvery)
	}()

	code, err := 1, unsealed
	if unsealed == nil {
		code, err = r.execute(ctx, job, rep)
	}
	state := "success"
	if err != nil {
		state = "failed"
		fmt.Fprintf(rep.log, "ERROR: Job failed: %v\n", err)
	} else {
		fmt.Fprintln(rep.log, "Job succeeded")
	}

	stopStreaming()
	<-streamed
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	rep.flush(final, true)
	body, _ := json.Marshal(map[string]any{"state": state, "exit_code": code})
	if err := r.send(final, job, http.MethodPut, "", "application/json", body); err != nil {
		labkit.Logger.Warn("reporting a job's end", "job", job.ID, "err", err)
	}
	return state, code
}

// unseal opens the job's hidden variables in place with the runner's
// DBKeyBase. A job whose secrets cannot be opened does not run, as a
// runner whose key no longer matches the instance's must not run a build
// without them.
func (r *Runner) unseal(job *Job) error {
	for i, v := range job.Variables {
		if v.Sealed == nil {
			continue
		}
		plain, err := Open(r.DBKeyBase, *v.Sealed)
		if err != nil {
			return fmt.Errorf("(system failure) cannot open the hidden variable %s: %v", v.Key, err)
		}
		job.Variables[i].Value, job.Variables[i].Sealed = plain, nil
	}
	return nil
}

// execute gets the job's source and runs its script, watching what the
// script starts. It returns the exit code, and an error saying why the
// job failed.
func (r *Runner) execute(ctx context.Context, job *Job, rep *report) (int, error) {
	timeout := defaultTimeout
	if job.Timeout > 0 {
		timeout = time.Duration(job.Timeout) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	log := rep.log
	fmt.Fprintf(log, "Running with sakimori-sim ci-runner on %s\n", r.Hostname)
	dir, err := r.workTree(job.Project)
	if err != nil {
		return 1, fmt.Errorf("(system failure) %v", err)
	}
	defer os.RemoveAll(dir + ".tmp")

	fmt.Fprintf(log, "Getting source from Git repository\nCloning %s into %s...\n", job.Project, dir)
	gitEnv := append(append([]string{}, r.Env...), "GIT_TERMINAL_PROMPT=0")
	if code, err := run(ctx, dir, gitEnv, log, nil, "git", "clone", "-q", job.RepoURL, "."); err != nil {
		return code, timedOut(ctx, timeout, err)
	}
	fmt.Fprintf(log, "Checking out %.8s as detached HEAD...\n", job.Commit)
	if code, err := run(ctx, dir, gitEnv, log, nil, "git", "checkout", "-q", job.Commit); err != nil {
		return code, timedOut(ctx, timeout, err)
	}

	script := filepath.Join(dir+".tmp", "script.sh")
	if err := os.MkdirAll(filepath.Dir(script), 0o700); err != nil {
		return 1, fmt.Errorf("(system failure) %v", err)
	}
	if err := os.WriteFile(script, []byte(jobScript(job.Script)), 0o600); err != nil {
		return 1, fmt.Errorf("(system failure) %v", err)
	}
	fmt.Fprintln(log, "Executing job script")
	fields := JobFields{Computer: r.Hostname, Project: job.Project, Pipeline: job.Pipeline, Job: job.ID}
	watch := func(watching context.Context, pid int) {
		newWatcher(pid, fields, r.Addresses, rep.event).watch(watching, watchEvery)
	}
	code, err := run(ctx, dir, r.jobEnv(job), log, watch, "bash", "--noprofile", "--norc", "-eo", "pipefail", script)
	return code, timedOut(ctx, timeout, err)
}

// workTree makes the project's work tree afresh under Builds, keeping a
// project path the CI sends from naming anything outside it.
func (r *Runner) workTree(project string) (string, error) {
	if !filepath.IsLocal(project) {
		return "", fmt.Errorf("project path %q leaves the builds folder", project)
	}
	dir := filepath.Join(r.Builds, project)
	for _, d := range []string{dir, dir + ".tmp"} {
		if err := os.RemoveAll(d); err != nil {
			return "", err
		}
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// jobEnv is the script's environment: the runner's base, GitLab's
// predefined variables, then the job's own.
func (r *Runner) jobEnv(job *Job) []string {
	env := append([]string{}, r.Env...)
	env = append(env,
		"CI=true",
		"CI_PROJECT_PATH="+job.Project,
		"CI_PIPELINE_ID="+strconv.Itoa(job.Pipeline),
		"CI_JOB_ID="+strconv.Itoa(job.ID),
		"CI_COMMIT_SHA="+job.Commit,
		"CI_SERVER_URL="+r.CI,
		"CI_JOB_TOKEN="+job.Token,
	)
	for _, v := range job.Variables {
		if v.Key != "" {
			env = append(env, v.Key+"="+v.Value)
		}
	}
	return env
}

// timedOut says a command killed at the job's time limit was, in GitLab's
// words.
func timedOut(ctx context.Context, timeout time.Duration, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("execution took longer than %v seconds", timeout)
	}
	return err
}
