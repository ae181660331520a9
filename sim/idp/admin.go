package idp

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// apiCall is one admin API request, made with a valid admin's token.
type apiCall struct {
	w     http.ResponseWriter
	r     *http.Request
	v     *visit
	token *Token
}

// adminRoutes are Okta's management API paths, with Okta's SSWS token
// header. The sessions list is the emulator's own: Okta has no such
// path, and a defender needs to see which sessions a user has.
func (s *Server) adminRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /api/v1/users", s.admin(s.listUsers))
	m.HandleFunc("GET /api/v1/users/{id}", s.admin(s.getUser))
	m.HandleFunc("GET /api/v1/users/me", s.myUser)
	m.HandleFunc("GET /api/v1/sessions/me", s.mySession)
	m.HandleFunc("GET /api/v1/users/{id}/sessions", s.admin(s.listSessions))
	m.HandleFunc("DELETE /api/v1/users/{id}/sessions", s.admin(s.clearSessions))
	m.HandleFunc("DELETE /api/v1/sessions/{id}", s.admin(s.endOneSession))
	m.HandleFunc("GET /api/v1/policies/session", s.admin(s.getPolicy))
	m.HandleFunc("POST /api/v1/policies/session", s.admin(s.setPolicy))
	m.HandleFunc("PUT /api/v1/policies/session", s.admin(s.setPolicy))
	m.HandleFunc("GET /api/v1/logs", s.admin(s.serveLogs))
	m.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		oktaError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+r.URL.Path+" (Resource)")
	})
}

// admin checks the token and logs its use, then runs h with s.mu held.
// Reading the System Log is not logged: a reader polling it would fill
// it with its own reads.
func (s *Server) admin(h func(a *apiCall)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := visitOf(r)
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.apiToken(r)
		e := Event{EventType: "system.api_token.use", DisplayMessage: "API token used", Actor: unknownActor(""), Outcome: success(),
			DebugContext: DebugContext{DebugData: map[string]string{"method": r.Method}}}
		switch {
		case t == nil:
			e.Outcome = outcome(ResultFailure, "Invalid token provided")
			s.record(v, e)
			oktaError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
			return
		case !t.User.Admin:
			e.Actor, e.Target, e.Outcome = userActor(t.User), []Target{tokenTarget(t)}, outcome(ResultFailure, "Insufficient permissions")
			s.record(v, e)
			oktaError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
			return
		}
		if r.URL.Path != "/api/v1/logs" {
			e.Actor, e.Target = userActor(t.User), []Target{tokenTarget(t)}
			s.record(v, e)
		}
		h(&apiCall{w: w, r: r, v: v, token: t})
	}
}

// apiToken is the token of an "Authorization: SSWS <token>" header.
func (s *Server) apiToken(r *http.Request) *Token {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "SSWS ")
	if !ok || secret == "" {
		return nil
	}
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare([]byte(t.secret), []byte(secret)) == 1 {
			return t
		}
	}
	return nil
}

func tokenTarget(t *Token) Target {
	return Target{ID: t.ID, Type: "Token", AlternateID: t.Name, DisplayName: t.Name}
}

// oktaError writes an error in Okta's shape.
func oktaError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	list := []map[string]string{}
	for _, c := range causes {
		list = append(list, map[string]string{"errorSummary": c})
	}
	writeJSON(w, status, map[string]any{"errorCode": code, "errorSummary": summary, "errorLink": code,
		"errorId": "oae" + randomToken(22), "errorCauses": list})
}

// apiTime is how Okta's API writes a time.
func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
