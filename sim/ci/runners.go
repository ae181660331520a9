package ci

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/sakimori/sakimori/sim/ci/runner"
)

// maxTrace bounds one job's log, as GitLab's output limit does.
const maxTrace = 4 << 20

// serveRunner is the runner's side: take a job, append to its log, send
// its events, report how it ended.
func (s *Server) serveRunner(w http.ResponseWriter, r *http.Request, segs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(segs) == 1 && segs[0] == "request" && r.Method == http.MethodPost {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Runner-Token")), []byte(s.runnerTok)) != 1 {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "403 Forbidden"})
			return
		}
		var body struct {
			Runner string `json:"runner"`
		}
		_ = json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body)
		j := s.nextRunnable()
		if j == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		j.Status, j.Token, j.Started, j.Runner = "running", randomHex(20), s.now().UTC(), body.Runner
		j.Pipeline.Status = "running"
		p := j.Pipeline.Project
		// The job in the shape the runner reads: one home for the wire format.
		job := runner.Job{
			ID: j.ID, Token: j.Token, Project: p.Path, Pipeline: j.Pipeline.ID, Name: j.Def.Name,
			RepoURL: fmt.Sprintf("http://gitlab-ci-token:%s@%s/%s.git", j.Token, r.Host, p.Path), Commit: j.Pipeline.SHA,
			Script: j.Def.Script, Timeout: int(jobTimeout.Seconds()),
		}
		for i := range p.Variables {
			job.Variables = append(job.Variables, p.Variables[i].forRunner())
		}
		writeJSON(w, http.StatusCreated, job)
		return
	}
	if len(segs) < 1 {
		http.NotFound(w, r)
		return
	}
	id, _ := strconv.Atoi(segs[0])
	j := s.jobs[id]
	if j == nil || j.Status != "running" || subtle.ConstantTimeCompare([]byte(r.Header.Get("Job-Token")), []byte(j.Token)) != 1 {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "403 Forbidden"})
		return
	}
	switch {
	case len(segs) == 2 && segs[1] == "trace" && r.Method == http.MethodPatch:
		data, _ := io.ReadAll(io.LimitReader(r.Body, maxTrace))
		if len(j.Trace)+len(data) > maxTrace {
			data = data[:max(0, maxTrace-len(j.Trace))]
		}
		j.Trace = append(j.Trace, data...)
		w.WriteHeader(http.StatusAccepted)
	case len(segs) == 2 && segs[1] == "events" && r.Method == http.MethodPost:
		sc := bufio.NewScanner(io.LimitReader(r.Body, 8<<20))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var e map[string]any
			if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 && json.Unmarshal(line, &e) == nil {
				s.runner = append(s.runner, e)
			}
		}
		if len(s.runner) > maxLog {
			s.runner = s.runner[len(s.runner)-maxLog:]
		}
		w.WriteHeader(http.StatusAccepted)
	case len(segs) == 1 && r.Method == http.MethodPut:
		var body struct {
			State    string `json:"state"`
			ExitCode int    `json:"exit_code"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil || (body.State != "success" && body.State != "failed") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "state must be success or failed"})
			return
		}
		s.finishJob(j, body.State, body.ExitCode)
		writeJSON(w, http.StatusOK, map[string]string{"status": body.State})
	default:
		http.NotFound(w, r)
	}
}

// nextRunnable is the oldest job whose pipeline's earlier jobs passed.
func (s *Server) nextRunnable() *Job {
	for _, p := range s.projects {
		if p.NoRunners {
			continue // stuck: no runner may take its jobs
		}
		for _, pl := range p.Pipelines {
			if pl.Status != "pending" && pl.Status != "running" {
				continue
			}
			for _, j := range pl.Jobs {
				if j.Status == "created" {
					return j
				}
				if j.Status != "success" {
					break // one runs at a time; a failed one stops the rest
				}
			}
		}
	}
	return nil
}

// finishJob ends a job; the pipeline ends with its last job, or with the
// first that fails, its later jobs skipped.
func (s *Server) finishJob(j *Job, state string, code int) {
	j.Status, j.ExitCode, j.Finished, j.Token = state, code, s.now().UTC(), ""
	pl := j.Pipeline
	if state == "failed" {
		for _, other := range pl.Jobs {
			if other.Status == "created" {
				other.Status = "skipped"
			}
		}
		pl.Status = "failed"
		return
	}
	for _, other := range pl.Jobs {
		if other.Status != "success" {
			return
		}
	}
	pl.Status = "success"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
