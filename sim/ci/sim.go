package ci

import (
	"crypto/subtle"
	"net/http"
	"strconv"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/telemetry"
)

// serveSim is the platform's channel, open only to the lab's simulator
// key and never logged: the logs for grading, and pipelines a check runs
// and reads.
//
//	GET  /_sim/events?log=access|runner       the log in the common format
//	POST /_sim/pipeline?project=P             run P's pipeline now; its id
//	GET  /_sim/pipeline?project=P&id=N        its status and each job's status and log
//	GET  /_sim/pipelines?project=P             every pipeline of P, newest first, with its jobs
func (s *Server) serveSim(w http.ResponseWriter, r *http.Request, segs []string) {
	if s.simKey == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(labkit.SimKeyHeader)), []byte(s.simKey)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	switch {
	case len(segs) == 1 && segs[0] == "events" && r.Method == http.MethodGet:
		var events []map[string]any
		switch q.Get("log") {
		case "access":
			events = s.access
		case "runner":
			events = s.runner
		default:
			http.Error(w, "log must be access or runner", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", telemetry.ContentType)
		_ = telemetry.WriteAll(w, events)
	case len(segs) == 1 && segs[0] == "pipelines" && r.Method == http.MethodGet:
		p := s.project(q.Get("project"))
		if p == nil {
			http.Error(w, "no such project", http.StatusNotFound)
			return
		}
		out := []map[string]any{}
		for i := len(p.Pipelines) - 1; i >= 0; i-- {
			pl := pipelineJSON(p.Pipelines[i])
			var jobs []map[string]any
			for _, j := range p.Pipelines[i].Jobs {
				jobs = append(jobs, jobJSON(j))
			}
			pl["jobs"] = jobs
			out = append(out, pl)
		}
		writeJSON(w, http.StatusOK, out)
	case len(segs) == 1 && segs[0] == "pipeline":
		p := s.project(q.Get("project"))
		if p == nil {
			http.Error(w, "no such project", http.StatusNotFound)
			return
		}
		if r.Method == http.MethodPost {
			writeJSON(w, http.StatusCreated, pipelineJSON(s.startPipeline(p, "web")))
			return
		}
		pl := findPipeline(p, q.Get("id"))
		if pl == nil {
			http.Error(w, "no such pipeline", http.StatusNotFound)
			return
		}
		out := pipelineJSON(pl)
		var jobs []map[string]any
		for _, j := range pl.Jobs {
			jj := jobJSON(j)
			jj["trace"] = string(j.Trace)
			jj["exit_code"] = j.ExitCode
			jobs = append(jobs, jj)
		}
		out["jobs"] = jobs
		writeJSON(w, http.StatusOK, out)
	default:
		http.NotFound(w, r)
	}
}

// PipelineID reads the id a POST /_sim/pipeline answered with.
func PipelineID(v map[string]any) string {
	if f, ok := v["id"].(float64); ok {
		return strconv.Itoa(int(f))
	}
	return ""
}
