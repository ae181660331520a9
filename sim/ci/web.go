package ci

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sakimori/sakimori/sim/telemetry"
)

// The web view is read-only and open on the corporate network, as many
// self-hosted CIs are: pipelines, job logs (masked values hidden), files
// and which variables a project has. Changing anything takes a token and
// the API. The whole logs are for admins, with a token.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"short": func(sha string) string { return sha[:min(8, len(sha))] },
	"when":  func(p *Pipeline) string { return p.Created.Format("2006-01-02 15:04:05 UTC") },
	"last": func(ps []*Pipeline) *Pipeline {
		if len(ps) == 0 {
			return nil
		}
		return ps[len(ps)-1]
	},
}).Parse(`{{define "head"}}<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}} · {{.Site}}</title><style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#222}header{background:#292961;color:#fff;padding:.6rem 1.2rem}
header a{color:#fff;text-decoration:none;font-weight:600}main{padding:1rem 1.2rem;max-width:70rem}
table{border-collapse:collapse;width:100%}td,th{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left}
pre{background:#111;color:#eee;padding:1rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
.success{color:#107a32}.failed{color:#b3261e}.running,.pending{color:#1f5fbf}.skipped,.created{color:#666}
nav a{margin-right:1rem}</style>
<header><a href="{{.Root}}">{{.Site}}</a></header><main>{{end}}
{{define "projects"}}{{template "head" .}}<h1>Projects</h1><table><tr><th>Project</th><th>Last pipeline</th></tr>
{{range .Projects}}<tr><td><a href="{{$.Root}}{{.Path}}">{{.Path}}</a></td><td>{{with $l := last .Pipelines}}<span class="{{$l.Status}}">{{$l.Status}}</span> #{{$l.IID}}{{else}}none{{end}}</td></tr>{{end}}</table></main>{{end}}
{{define "project"}}{{template "head" .}}<h1>{{.Project.Path}}</h1>
<nav><a href="{{$.Root}}{{.Project.Path}}/-/settings/ci_cd">CI/CD settings</a></nav>
<h2>Pipelines</h2><table><tr><th>Pipeline</th><th>Status</th><th>Source</th><th>Commit</th><th>Created</th><th>Jobs</th></tr>
{{range .Pipelines}}<tr><td>#{{.IID}} <small>(id {{.ID}})</small></td><td class="{{.Status}}">{{.Status}}</td><td>{{.Source}}</td><td><code>{{short .SHA}}</code></td><td>{{when .}}</td>
<td>{{range .Jobs}}<a class="{{.Status}}" href="{{$.Root}}{{$.Project.Path}}/-/jobs/{{.ID}}">{{.Def.Name}}</a> {{end}}{{if .Error}}<span class="failed">{{.Error}}</span>{{end}}</td></tr>{{end}}</table>
<h2>Files on main</h2><ul>{{range .Files}}<li><a href="{{$.Root}}{{$.Project.Path}}/-/blob/main/{{.}}">{{.}}</a></li>{{end}}</ul></main>{{end}}
{{define "job"}}{{template "head" .}}{{if eq .Job.Status "running"}}<meta http-equiv="refresh" content="3">{{end}}
<h1>{{.Job.Def.Name}} <small class="{{.Job.Status}}">{{.Job.Status}}</small></h1>
<p><a href="{{$.Root}}{{.Project.Path}}">{{.Project.Path}}</a> · pipeline #{{.Job.Pipeline.IID}} · job {{.Job.ID}} · commit <code>{{short .Job.Pipeline.SHA}}</code>{{if .Job.Runner}} · runner {{.Job.Runner}}{{end}}</p>
{{if not .Job.ErasedAt.IsZero}}<p role="status">Job has been erased by {{.Job.ErasedBy}} {{.Job.ErasedAt.Format "2006-01-02 15:04 UTC"}}</p>{{end}}<pre id="trace">{{printf "%s" .Job.Trace}}</pre></main>{{end}}
{{define "blob"}}{{template "head" .}}<h1>{{.Title}}</h1><p><a href="{{$.Root}}{{.Project.Path}}">{{.Project.Path}}</a></p><pre>{{.Text}}</pre></main>{{end}}
{{define "settings"}}{{template "head" .}}<h1>CI/CD variables</h1><p><a href="{{$.Root}}{{.Project.Path}}">{{.Project.Path}}</a></p>
<table><tr><th>Key</th><th>Value</th><th>Masked</th><th>Hidden</th></tr>{{range .Project.Variables}}<tr><td><code>{{.Key}}</code></td><td>{{if .Masked}}*****{{else}}<code>{{.Value}}</code>{{end}}</td><td>{{.Masked}}</td><td>{{.Hidden}}</td></tr>{{end}}</table>
<p>Change a value with the API: <code>PUT /api/v4/projects/:id/variables/:key</code>.</p></main>{{end}}`))

type page struct {
	Site, Title string
	Root        string // the way back to /, relative: pages are also served under a proxy's prefix
	Projects    []*Project
	Project     *Project
	Pipelines   []*Pipeline
	Files       []string
	Job         *Job
	Text        string
}

func (s *Server) serveWeb(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) == 2 && segs[0] == "-" && segs[1] == "admin" && r.Method == http.MethodGet {
		s.serveAdminIndex(w, r)
		return
	}
	if len(segs) == 4 && segs[0] == "-" && segs[1] == "admin" && segs[2] == "logs" {
		s.serveLog(w, r, strings.TrimSuffix(segs[3], ".ndjson"))
		return
	}
	if len(segs) >= 3 && len(segs) <= 4 && segs[0] == "-" && segs[1] == "admin" && segs[2] == "backups" && r.Method == http.MethodGet {
		s.serveBackups(w, r, strings.Join(segs[3:], ""))
		return
	}
	if len(segs) >= 2 && segs[0] == "users" {
		s.serveSSO(w, r, segs[1:])
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sso != nil && s.sso.def.RequireSignIn {
		c := s.authenticate(r)
		if c.user() == nil {
			root := "./"
			if len(segs) > 1 {
				root = strings.Repeat("../", len(segs)-1)
			}
			http.Redirect(w, r, root+"users/sign_in", http.StatusFound)
			return
		}
		s.logAccess(r, c, http.StatusOK, "web", "")
	}
	pg := page{Site: s.name, Projects: s.projects, Root: "./"}
	if len(segs) > 1 {
		pg.Root = strings.Repeat("../", len(segs)-1)
	}
	name := ""
	switch {
	case len(segs) == 0:
		name, pg.Title = "projects", "Projects"
	case len(segs) >= 2:
		p := s.project(segs[0] + "/" + segs[1])
		if p == nil {
			http.NotFound(w, r)
			return
		}
		pg.Project, pg.Title = p, p.Path
		rest := segs[2:]
		switch {
		case len(rest) == 0:
			name = "project"
			for i := len(p.Pipelines) - 1; i >= 0 && len(pg.Pipelines) < 30; i-- {
				pg.Pipelines = append(pg.Pipelines, p.Pipelines[i])
			}
			for f := range p.files {
				pg.Files = append(pg.Files, f)
			}
			slices.Sort(pg.Files)
		case len(rest) == 3 && rest[0] == "-" && rest[1] == "jobs":
			id, _ := strconv.Atoi(rest[2])
			if j := s.jobs[id]; j != nil && j.Pipeline.Project == p {
				name, pg.Job, pg.Title = "job", j, j.Def.Name
			}
		case len(rest) >= 4 && rest[0] == "-" && rest[1] == "blob" && rest[2] == "main":
			path := strings.Join(rest[3:], "/")
			if text, ok := p.files[path]; ok {
				name, pg.Title, pg.Text = "blob", path, text
			}
		case len(rest) == 3 && rest[0] == "-" && rest[1] == "settings" && rest[2] == "ci_cd":
			name, pg.Title = "settings", "CI/CD settings"
		}
	}
	if name == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(w, name, pg)
}

// serveLog gives an admin the whole access log or the runner's events,
// as NDJSON, with a token (curl -H "PRIVATE-TOKEN: ...").
func (s *Server) serveLog(w http.ResponseWriter, r *http.Request, log string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status := http.StatusOK
	c, ok := s.adminArea(w, r, true)
	defer func() { s.logAccess(r, c, status, "web", "") }()
	if !ok {
		status = http.StatusForbidden
		return
	}
	var events []map[string]any
	switch log {
	case "access":
		events = s.access
	case "runner":
		events = s.runner
	default:
		status = http.StatusNotFound
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", telemetry.ContentType)
	_ = telemetry.WriteAll(w, events)
}

// adminArea lets an admin into the admin area, and an auditor too where
// auditors read; anyone else gets 403. The caller logs the request.
func (s *Server) adminArea(w http.ResponseWriter, r *http.Request, auditors bool) (caller, bool) {
	c := s.authenticate(r)
	if u := c.user(); u == nil || !(u.Admin || (auditors && u.Auditor)) {
		who := "an admin's"
		if auditors {
			who = "an admin's or an auditor's"
		}
		http.Error(w, "403 Forbidden: "+who+" token or session is needed", http.StatusForbidden)
		return c, false
	}
	return c, true
}

var adminIndex = template.Must(template.New("").Parse(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Admin area · {{.Site}}</title>
<h1>Admin area</h1><ul>
<li><a href="admin/logs/access.ndjson">Access log</a> (NDJSON: every API, git and web request)</li>
<li><a href="admin/logs/runner.ndjson">Runner events</a> (NDJSON: the jobs' processes and connections)</li>
{{if .Admin}}<li><a href="admin/backups">Backups</a> (JSON: the nightly backups, each with the path to download it)</li>{{end}}
</ul>`))

// serveAdminIndex is /-/admin: what the admin area holds, for an admin or
// an auditor (backups for admins only).
func (s *Server) serveAdminIndex(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status := http.StatusOK
	c, ok := s.adminArea(w, r, true)
	defer func() { s.logAccess(r, c, status, "web", "") }()
	if !ok {
		status = http.StatusForbidden
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = adminIndex.Execute(w, map[string]any{"Site": s.name, "Admin": c.user().Admin})
}
