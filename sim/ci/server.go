package ci

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/gitrepo"
	"github.com/sakimori/sakimori/sim/labkit"
)

// Server is the CI service. One mutex guards everything: a lab's CI
// sees a few requests a second.
type Server struct {
	mu        sync.Mutex
	name      string
	simKey    string
	runnerTok string
	addresses map[netip.Addr]netip.Addr
	users     map[string]*User
	tokens    []*Token
	projects  []*Project
	jobs      map[int]*Job
	nextPipe  int // instance-wide pipeline ids, as GitLab's
	nextJob   int
	sso       *sso                   // nil: tokens only
	dbKeyBase string                 // seals variables; empty: kept in the clear
	backup    *backup                // the nightly backup; nil: none
	sessions  map[string]*webSession // signed-in browsers, by cookie
	access    []map[string]any       // the access log, oldest first
	runner    []map[string]any       // the runner's process and network events
	now       func() time.Time
}

// User is an account.
type User struct {
	ID      int
	Name    string
	Admin   bool
	Auditor bool // reads everything, writes nothing
}

// Token is a personal access token.
type Token struct {
	ID         int
	Name       string
	User       *User
	Secret     string
	Scopes     []string
	Revoked    bool
	Created    time.Time
	LastUsed   time.Time
	LastUsedIP string
}

// Project is a repository with its CI/CD settings and pipelines.
type Project struct {
	ID        int
	Path      string
	Members   []string
	Variables []Variable
	history   []gitrepo.Change
	files     map[string]string // main's tree at its head
	repo      *gitrepo.Repo
	Pipelines []*Pipeline // oldest first
	nextIID   int
	every     time.Duration
	NoRunners bool // shared runners off: its jobs wait, stuck
}

// Pipeline is one run of a project's jobs on one commit.
type Pipeline struct {
	ID, IID int
	Project *Project
	SHA     string
	Source  string // schedule, push, api, web
	Status  string // pending, running, success, failed
	Error   string // why it could not run: a bad .gitlab-ci.yml
	Created time.Time
	Jobs    []*Job
}

// Job is one job of a pipeline as a runner runs it.
type Job struct {
	ID       int
	Pipeline *Pipeline
	Def      JobDef
	Status   string // created, running, success, failed, skipped
	Token    string // valid while it runs: its clone and reports
	Trace    []byte
	Runner   string
	Started  time.Time
	Finished time.Time
	ExitCode int
	ErasedAt time.Time // its log erased through the API, and by whom
	ErasedBy string
}

// New makes the service a world describes.
func New(w *World, simKey string) (*Server, error) {
	s := &Server{name: w.Name, simKey: simKey, runnerTok: w.RunnerToken, addresses: map[netip.Addr]netip.Addr{},
		users: map[string]*User{}, jobs: map[int]*Job{}, sessions: map[string]*webSession{}, nextPipe: 4000, nextJob: 9000, now: time.Now,
		dbKeyBase: w.DBKeyBase}
	if w.SSO != nil {
		s.sso = &sso{def: *w.SSO}
	}
	if s.name == "" {
		s.name = "GitLab"
	}
	for from, to := range w.Addresses {
		s.addresses[netip.MustParseAddr(from)] = netip.MustParseAddr(to) // ParseWorld checked them
	}
	start := s.now().UTC().Truncate(time.Minute)
	for i, u := range w.Users {
		user := &User{ID: i + 1, Name: u.Name, Admin: u.Admin, Auditor: u.Auditor}
		s.users[u.Name] = user
		for _, t := range u.Tokens {
			ago, _ := labkit.Ago(orDefault(t.Ago, "30d"))
			s.tokens = append(s.tokens, &Token{ID: len(s.tokens) + 1, Name: t.Name, User: user, Secret: t.Token, Scopes: t.Scopes, Created: start.Add(-ago)})
		}
	}
	for i, p := range w.Projects {
		changes, err := gitrepo.Changes(p.History, start)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p.Path, err)
		}
		proj := &Project{ID: i + 1, Path: p.Path, Members: p.Members, Variables: append([]Variable(nil), p.Variables...), history: changes,
			nextIID: max(p.FirstPipeline, 1), NoRunners: p.SharedRunners != nil && !*p.SharedRunners}
		for n := range proj.Variables {
			if err := s.setValue(&proj.Variables[n], proj.Variables[n].Value); err != nil {
				return nil, err
			}
		}
		if p.Schedule != "" {
			proj.every, _ = labkit.Ago(p.Schedule)
		}
		proj.rebuild()
		s.projects = append(s.projects, proj)
	}
	if w.Backup != nil {
		ago, _ := labkit.Ago(w.Backup.Ago) // ParseWorld checked it
		b, err := s.makeBackup(start.Add(-ago))
		if err != nil {
			return nil, err
		}
		s.backup = b
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// rebuild makes the repository and main's tree from the history.
func (p *Project) rebuild() {
	p.repo = gitrepo.Build(p.history)
	p.files = map[string]string{}
	for _, c := range p.history {
		for path, content := range c.Files {
			if content == nil {
				delete(p.files, path)
			} else {
				p.files[path] = *content
			}
		}
	}
}

// Run runs the projects' pipeline schedules until ctx ends, and fails
// jobs whose runner went silent.
func (s *Server) Run(ctx context.Context) {
	first := 20 * time.Second // the lab's first builds come soon after it starts
	next := map[*Project]time.Time{}
	for _, p := range s.projects {
		if p.every > 0 {
			next[p] = s.now().Add(first)
		}
	}
	for labkit.Sleep(ctx, time.Second) {
		now := s.now()
		for p, at := range next {
			if now.After(at) {
				s.mu.Lock()
				s.startPipeline(p, "schedule")
				s.mu.Unlock()
				next[p] = at.Add(p.every)
			}
		}
		s.mu.Lock()
		s.expireJobs(now)
		s.mu.Unlock()
	}
}

// jobTimeout is how long a job may run before it is failed.
const jobTimeout = 5 * time.Minute

func (s *Server) expireJobs(now time.Time) {
	for _, j := range s.jobs {
		if j.Status == "running" && now.Sub(j.Started) > jobTimeout+time.Minute {
			j.Trace = append(j.Trace, "\nERROR: Job failed: execution took longer than 5m0s seconds\n"...)
			s.finishJob(j, "failed", 1)
		}
	}
}

// startPipeline makes a pipeline on main's head. A .gitlab-ci.yml that
// does not parse makes a failed pipeline with the reason, as GitLab shows
// it, and no jobs.
func (s *Server) startPipeline(p *Project, source string) *Pipeline {
	s.nextPipe++
	pl := &Pipeline{ID: s.nextPipe, IID: p.nextIID, Project: p, SHA: p.repo.Head(), Source: source, Status: "pending", Created: s.now().UTC()}
	p.nextIID++
	p.Pipelines = append(p.Pipelines, pl)
	defs, err := ParsePipeline([]byte(p.files[ConfigFile]))
	if err != nil {
		pl.Status, pl.Error = "failed", err.Error()
		return pl
	}
	for _, d := range defs {
		s.nextJob++
		j := &Job{ID: s.nextJob, Pipeline: pl, Def: d, Status: "created"}
		s.jobs[j.ID] = j
		pl.Jobs = append(pl.Jobs, j)
	}
	return pl
}

// project finds a project by its id or its path, as GitLab's :id.
func (s *Server) project(id string) *Project {
	for _, p := range s.projects {
		if fmt.Sprint(p.ID) == id || p.Path == id {
			return p
		}
	}
	return nil
}

// shown is the address the service logs for a request.
func (s *Server) shown(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if a, ok := s.addresses[ap.Addr().Unmap()]; ok {
		return a.String()
	}
	return ap.Addr().Unmap().String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ServeHTTP routes on the escaped path, so a project id written as
// GitLab's URL-encoded path (acme%2Fapi) stays one segment.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := segments(r.URL.EscapedPath())
	switch {
	case len(segs) > 0 && segs[0] == "_sim":
		s.serveSim(w, r, segs[1:])
	case len(segs) > 2 && segs[0] == "api" && segs[1] == "v4" && segs[2] == "jobs":
		s.serveRunner(w, r, segs[3:])
	case len(segs) > 1 && segs[0] == "api" && segs[1] == "v4":
		s.serveAPI(w, r, segs[2:])
	case len(segs) > 2 && strings.HasSuffix(segs[1], ".git"):
		s.serveGit(w, r, segs)
	default:
		s.serveWeb(w, r, segs)
	}
}

func segments(escaped string) []string {
	var out []string
	for _, seg := range strings.Split(strings.Trim(escaped, "/"), "/") {
		if seg == "" {
			continue
		}
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		out = append(out, seg)
	}
	return out
}
