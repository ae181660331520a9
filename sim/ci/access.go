package ci

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

// maxLog bounds each log a lab keeps.
const maxLog = 20000

// caller is who a request is: a personal access token's user, or a
// running job (its CI_JOB_TOKEN), or no one.
type caller struct {
	token   *Token
	job     *Job
	session *webSession // a browser signed in through single sign-on
}

func (c caller) user() *User {
	switch {
	case c.token != nil:
		return c.token.User
	case c.session != nil:
		return c.session.User
	}
	return nil
}

// authenticate reads GitLab's ways of carrying a token: the PRIVATE-TOKEN
// and JOB-TOKEN headers, a bearer token, or HTTP basic auth whose
// password is the token (git's way; the user name gitlab-ci-token marks a
// job's). A revoked token is no one.
func (s *Server) authenticate(r *http.Request) caller {
	secret := r.Header.Get("PRIVATE-TOKEN")
	job := r.Header.Get("JOB-TOKEN")
	if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		secret = b
	}
	if user, pass, ok := basicAuth(r); ok {
		if user == "gitlab-ci-token" {
			job = pass
		} else {
			secret = pass
		}
	}
	if job != "" {
		for _, j := range s.jobs {
			if j.Status == "running" && j.Token != "" && subtle.ConstantTimeCompare([]byte(j.Token), []byte(job)) == 1 {
				return caller{job: j}
			}
		}
	}
	if secret == "" {
		if sess := s.webSessionOf(r); sess != nil {
			return caller{session: sess}
		}
		return caller{}
	}
	for _, t := range s.tokens {
		if !t.Revoked && subtle.ConstantTimeCompare([]byte(t.Secret), []byte(secret)) == 1 {
			t.LastUsed, t.LastUsedIP = s.now().UTC(), s.shown(r)
			return caller{token: t}
		}
	}
	return caller{}
}

func basicAuth(r *http.Request) (string, string, bool) {
	h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return "", "", false
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	return user, pass, ok
}

// can says whether c may read (or, with write, change) project p with
// a token holding one of scopes.
func (c caller) can(p *Project, write bool, scopes ...string) bool {
	if c.job != nil {
		return !write && c.job.Pipeline.Project == p // a job reads its own project's repository
	}
	u := c.user()
	if u == nil || (c.token != nil && !slices.ContainsFunc(scopes, func(sc string) bool { return slices.Contains(c.token.Scopes, sc) })) {
		return false // a signed-in browser may do all its user may
	}
	return u.Admin || (u.Auditor && !write) || slices.Contains(p.Members, u.Name)
}

// logAccess records a request in the access log, with the fields of
// GitLab's api_json and production_json logs.
func (s *Server) logAccess(r *http.Request, c caller, status int, kind, project string) {
	e := map[string]any{
		"time": s.now().UTC().Format("2006-01-02T15:04:05.000Z"), "severity": "INFO",
		"kind": kind, "method": r.Method, "path": r.URL.Path, "status": status,
		"remote_ip": s.shown(r), "ua": r.UserAgent(),
	}
	if project != "" {
		e["meta.project"] = project
	}
	if u := c.user(); u != nil {
		e["username"], e["user_id"] = u.Name, u.ID
	}
	if c.token != nil {
		e["token_id"], e["token_name"] = c.token.ID, c.token.Name
	}
	if c.session != nil {
		e["session_id"] = c.session.ID[:8] // as much as a log shows of it
	}
	if c.job != nil {
		e["username"], e["job_id"] = "gitlab-ci-token", c.job.ID
	}
	s.access = append(s.access, e)
	if len(s.access) > maxLog {
		s.access = s.access[len(s.access)-maxLog:]
	}
}
