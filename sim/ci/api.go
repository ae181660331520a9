package ci

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/gitrepo"
)

// apiRequest is one API call being answered: who, and what it wrote back,
// for the access log.
type apiRequest struct {
	w       http.ResponseWriter
	r       *http.Request
	c       caller
	status  int
	project string
}

func (a *apiRequest) json(status int, v any) {
	a.status = status
	writeJSON(a.w, status, v)
}

func (a *apiRequest) fail(status int, message string) {
	a.json(status, map[string]string{"message": message})
}

// serveAPI answers GitLab's REST API (v4) for what a lab needs: projects,
// pipelines and their jobs' logs, CI/CD variables, repository files, and
// personal access tokens. Errors carry GitLab's messages.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, segs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &apiRequest{w: w, r: r, c: s.authenticate(r)}
	defer func() { s.logAccess(r, a.c, a.status, "api", a.project) }()
	if a.c.user() == nil {
		a.fail(http.StatusUnauthorized, "401 Unauthorized")
		return
	}
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	if a.c.token != nil && !hasScope(a.c.token, write) {
		a.json(http.StatusForbidden, map[string]string{"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the access token."})
		return
	}
	switch {
	case len(segs) == 1 && segs[0] == "user":
		u := a.c.user()
		a.json(http.StatusOK, map[string]any{"id": u.ID, "username": u.Name, "is_admin": u.Admin, "state": "active"})
	case len(segs) == 1 && segs[0] == "projects":
		var out []map[string]any
		for _, p := range s.projects {
			if a.c.can(p, false, "api", "read_api") {
				out = append(out, s.projectJSON(r, p))
			}
		}
		a.json(http.StatusOK, out)
	case len(segs) >= 2 && segs[0] == "projects":
		p := s.project(segs[1])
		if p == nil || !a.c.can(p, false, "api", "read_api") {
			a.fail(http.StatusNotFound, "404 Project Not Found")
			return
		}
		a.project = p.Path
		s.projectAPI(a, p, segs[2:])
	case len(segs) >= 1 && segs[0] == "personal_access_tokens":
		s.tokensAPI(a, segs[1:])
	default:
		a.fail(http.StatusNotFound, "404 Not Found")
	}
}

// hasScope: api allows everything; read_api reading only.
func hasScope(t *Token, write bool) bool {
	for _, sc := range t.Scopes {
		if sc == "api" || (sc == "read_api" && !write) {
			return true
		}
	}
	return false
}

func (s *Server) projectJSON(r *http.Request, p *Project) map[string]any {
	return map[string]any{"id": p.ID, "path_with_namespace": p.Path, "default_branch": "main", "visibility": "private",
		"http_url_to_repo": "http://" + r.Host + "/" + p.Path + ".git", "web_url": "http://" + r.Host + "/" + p.Path}
}

func (s *Server) projectAPI(a *apiRequest, p *Project, segs []string) {
	r := a.r
	switch {
	case len(segs) == 0:
		a.json(http.StatusOK, s.projectJSON(r, p))
	case len(segs) == 1 && segs[0] == "pipelines":
		out := []map[string]any{}
		for i := len(p.Pipelines) - 1; i >= 0; i-- {
			out = append(out, pipelineJSON(p.Pipelines[i]))
		}
		a.json(http.StatusOK, out)
	case len(segs) == 1 && segs[0] == "pipeline" && r.Method == http.MethodPost:
		if !a.c.can(p, true, "api") {
			a.fail(http.StatusForbidden, "403 Forbidden")
			return
		}
		a.json(http.StatusCreated, pipelineJSON(s.startPipeline(p, "api")))
	case len(segs) == 2 && segs[0] == "pipelines":
		if pl := findPipeline(p, segs[1]); pl != nil {
			a.json(http.StatusOK, pipelineJSON(pl))
		} else {
			a.fail(http.StatusNotFound, "404 Not found")
		}
	case len(segs) == 3 && segs[0] == "pipelines" && segs[2] == "jobs":
		pl := findPipeline(p, segs[1])
		if pl == nil {
			a.fail(http.StatusNotFound, "404 Not found")
			return
		}
		out := []map[string]any{}
		for _, j := range pl.Jobs {
			out = append(out, jobJSON(j))
		}
		a.json(http.StatusOK, out)
	case len(segs) == 3 && segs[0] == "jobs" && segs[2] == "trace":
		id, _ := strconv.Atoi(segs[1])
		j := s.jobs[id]
		if j == nil || j.Pipeline.Project != p {
			a.fail(http.StatusNotFound, "404 Not found")
			return
		}
		a.status = http.StatusOK
		a.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = a.w.Write(j.Trace)
	case len(segs) == 3 && segs[0] == "jobs" && segs[2] == "erase" && r.Method == http.MethodPost:
		s.eraseJob(a, p, segs[1])
	case len(segs) == 1 && segs[0] == "variables":
		a.json(http.StatusOK, p.Variables)
	case len(segs) == 2 && segs[0] == "variables":
		s.variableAPI(a, p, segs[1])
	case len(segs) == 4 && segs[0] == "repository" && segs[1] == "files" && segs[3] == "raw":
		if content, ok := p.files[segs[2]]; ok {
			a.status = http.StatusOK
			a.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(a.w, content)
		} else {
			a.fail(http.StatusNotFound, "404 File Not Found")
		}
	case len(segs) == 3 && segs[0] == "repository" && segs[1] == "files" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		s.commitFile(a, p, segs[2])
	default:
		a.fail(http.StatusNotFound, "404 Not Found")
	}
}

func findPipeline(p *Project, id string) *Pipeline {
	for _, pl := range p.Pipelines {
		if strconv.Itoa(pl.ID) == id {
			return pl
		}
	}
	return nil
}

func pipelineJSON(pl *Pipeline) map[string]any {
	out := map[string]any{"id": pl.ID, "iid": pl.IID, "project_id": pl.Project.ID, "sha": pl.SHA, "ref": "main",
		"status": pl.Status, "source": pl.Source, "created_at": pl.Created.Format(time.RFC3339)}
	if pl.Error != "" {
		out["yaml_errors"] = pl.Error
	}
	return out
}

func jobJSON(j *Job) map[string]any {
	out := map[string]any{"id": j.ID, "name": j.Def.Name, "stage": j.Def.Stage, "status": j.Status, "pipeline": map[string]any{"id": j.Pipeline.ID, "iid": j.Pipeline.IID}}
	if !j.Started.IsZero() {
		out["started_at"] = j.Started.Format(time.RFC3339)
	}
	if !j.Finished.IsZero() {
		out["finished_at"] = j.Finished.Format(time.RFC3339)
	}
	if !j.ErasedAt.IsZero() {
		out["erased_at"] = j.ErasedAt.Format(time.RFC3339)
	}
	return out
}

// form reads a request's parameters as GitLab takes them: JSON, a form, or
// the query string.
func form(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				if s, ok := v.(string); ok {
					out[k] = s
				} else if b, ok := v.(bool); ok {
					out[k] = strconv.FormatBool(b)
				}
			}
		}
		return out
	}
	if vals, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range vals {
			out[k] = v[0]
		}
	}
	return out
}

func (s *Server) variableAPI(a *apiRequest, p *Project, key string) {
	i := -1
	for n, v := range p.Variables {
		if v.Key == key {
			i = n
		}
	}
	switch a.r.Method {
	case http.MethodGet:
		if i < 0 {
			a.fail(http.StatusNotFound, "404 Variable Not Found")
			return
		}
		a.json(http.StatusOK, p.Variables[i])
	case http.MethodPut:
		if !a.c.can(p, true, "api") {
			a.fail(http.StatusForbidden, "403 Forbidden")
			return
		}
		if i < 0 {
			a.fail(http.StatusNotFound, "404 Variable Not Found")
			return
		}
		f := form(a.r)
		value, ok := f["value"]
		if !ok {
			a.json(http.StatusBadRequest, map[string]string{"error": "value is missing"})
			return
		}
		if p.Variables[i].Masked && len(value) < 8 {
			a.json(http.StatusBadRequest, map[string]any{"message": map[string][]string{"value": {"is invalid"}}})
			return
		}
		if err := s.setValue(&p.Variables[i], value); err != nil {
			a.fail(http.StatusInternalServerError, "500 Internal Server Error")
			return
		}
		a.json(http.StatusOK, p.Variables[i])
	default:
		a.fail(http.StatusMethodNotAllowed, "405 Method Not Allowed")
	}
}

// commitFile is the repository files API: the change becomes a commit on
// main by the token's user, and a push starts a pipeline, as in GitLab.
func (s *Server) commitFile(a *apiRequest, p *Project, path string) {
	if !a.c.can(p, true, "api") {
		a.fail(http.StatusForbidden, "403 Forbidden")
		return
	}
	f := form(a.r)
	content, ok := f["content"]
	switch {
	case f["branch"] != "main":
		a.json(http.StatusBadRequest, map[string]string{"error": "branch is missing or not main"})
		return
	case !ok || f["commit_message"] == "":
		a.json(http.StatusBadRequest, map[string]string{"error": "content, commit_message are missing"})
		return
	}
	_, exists := p.files[path]
	if a.r.Method == http.MethodPost && exists {
		a.fail(http.StatusBadRequest, "A file with this name already exists")
		return
	}
	if a.r.Method == http.MethodPut && !exists {
		a.fail(http.StatusBadRequest, "A file with this name doesn't exist")
		return
	}
	u := a.c.user()
	p.history = append(p.history, gitrepo.Change{Author: u.Name + " <" + u.Name + "@acme.example>", When: s.now().UTC(),
		Message: strings.TrimSpace(f["commit_message"]) + "\n", Files: map[string]*string{path: &content}})
	p.rebuild()
	s.startPipeline(p, "push")
	a.json(http.StatusOK, map[string]string{"file_path": path, "branch": "main"})
}

// tokensAPI lists, rotates and revokes personal access tokens: a user's
// own, or anyone's for an admin.
func (s *Server) tokensAPI(a *apiRequest, segs []string) {
	me := a.c.user()
	mine := func(t *Token) bool { return me.Admin || t.User == me }
	if len(segs) == 0 && a.r.Method == http.MethodGet {
		out := []map[string]any{}
		for _, t := range s.tokens {
			if mine(t) {
				out = append(out, tokenJSON(t))
			}
		}
		a.json(http.StatusOK, out)
		return
	}
	var t *Token
	if len(segs) >= 1 {
		for _, have := range s.tokens {
			if strconv.Itoa(have.ID) == segs[0] || (segs[0] == "self" && have == a.c.token) {
				t = have
			}
		}
	}
	if t == nil || !mine(t) {
		a.fail(http.StatusNotFound, "404 Not Found")
		return
	}
	switch {
	case len(segs) == 1 && a.r.Method == http.MethodGet:
		a.json(http.StatusOK, tokenJSON(t))
	case len(segs) == 1 && a.r.Method == http.MethodDelete:
		t.Revoked = true
		a.status = http.StatusNoContent
		a.w.WriteHeader(http.StatusNoContent)
	case len(segs) == 2 && segs[1] == "rotate" && a.r.Method == http.MethodPost:
		if t.Revoked {
			a.fail(http.StatusBadRequest, "400 Bad request - Token already revoked")
			return
		}
		t.Revoked = true
		fresh := &Token{ID: len(s.tokens) + 1, Name: t.Name, User: t.User, Scopes: t.Scopes, Secret: "glpat-" + randomHex(10), Created: s.now().UTC()}
		s.tokens = append(s.tokens, fresh)
		out := tokenJSON(fresh)
		out["token"] = fresh.Secret
		a.json(http.StatusOK, out)
	default:
		a.fail(http.StatusNotFound, "404 Not Found")
	}
}

func tokenJSON(t *Token) map[string]any {
	out := map[string]any{"id": t.ID, "name": t.Name, "user_id": t.User.ID, "username": t.User.Name, "scopes": t.Scopes,
		"revoked": t.Revoked, "active": !t.Revoked, "created_at": t.Created.Format(time.RFC3339)}
	if !t.LastUsed.IsZero() {
		out["last_used_at"] = t.LastUsed.Format(time.RFC3339)
		out["last_used_ips"] = []string{t.LastUsedIP}
	}
	return out
}

// eraseJob is GitLab's job erase: the log goes, the job stays, marked with
// who erased it and when, as the access log records the call.
func (s *Server) eraseJob(a *apiRequest, p *Project, id string) {
	if !a.c.can(p, true, "api") {
		a.fail(http.StatusForbidden, "403 Forbidden")
		return
	}
	n, _ := strconv.Atoi(id)
	j := s.jobs[n]
	if j == nil || j.Pipeline.Project != p {
		a.fail(http.StatusNotFound, "404 Not found")
		return
	}
	if j.Status == "running" || j.Status == "created" {
		a.fail(http.StatusForbidden, "403 Forbidden - Job is not erasable!")
		return
	}
	j.Trace, j.ErasedAt, j.ErasedBy = nil, s.now().UTC(), a.c.user().Name
	a.json(http.StatusCreated, jobJSON(j))
}
