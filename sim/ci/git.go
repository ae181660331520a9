package ci

import (
	"net/http"
	"strings"

	"github.com/sakimori/sakimori/sim/gitrepo"
)

// serveGit serves /group/name.git/... over git's dumb HTTP to a caller
// who may read the project, and asks anyone else for credentials, as
// GitLab does for a private project.
func (s *Server) serveGit(w http.ResponseWriter, r *http.Request, segs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := segs[0] + "/" + strings.TrimSuffix(segs[1], ".git")
	p := s.project(path)
	c := s.authenticate(r)
	rest := strings.Join(segs[2:], "/")
	logged := rest == "info/refs" // one line a clone or fetch, as GitLab logs it
	if p == nil || !c.can(p, false, "api", "read_api", "read_repository") {
		status := http.StatusUnauthorized
		if c.token != nil || c.job != nil {
			status = http.StatusNotFound // GitLab does not say a project exists to one who may not see it
		} else {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
		}
		if logged {
			s.logAccess(r, c, status, "git", path)
		}
		http.Error(w, "HTTP Basic: Access denied", status)
		return
	}
	if logged {
		s.logAccess(r, c, http.StatusOK, "git", path)
	}
	prefix := "/" + path + ".git"
	r2 := r.Clone(r.Context())
	r2.URL.Path = prefix + "/" + rest
	gitrepo.NewServer(map[string]*gitrepo.Repo{prefix: p.repo}).ServeHTTP(w, r2)
}
