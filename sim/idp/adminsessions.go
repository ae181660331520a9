package idp

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) listUsers(a *apiCall) {
	out := []map[string]any{}
	for _, u := range s.users {
		out = append(out, s.userJSON(a.r, u))
	}
	writeJSON(a.w, http.StatusOK, out)
}

func (s *Server) getUser(a *apiCall) {
	u := s.user(a.r.PathValue("id"))
	if u == nil {
		notFound(a.w, a.r.PathValue("id"), "User")
		return
	}
	writeJSON(a.w, http.StatusOK, s.userJSON(a.r, u))
}

// userJSON is a user as Okta's Users API shows one.
func (s *Server) userJSON(r *http.Request, u *User) map[string]any {
	first, last, _ := strings.Cut(u.Name, " ")
	var lastLogin any
	if !u.LastLogin.IsZero() {
		lastLogin = apiTime(u.LastLogin)
	}
	return map[string]any{
		"id": u.ID, "status": "ACTIVE", "created": apiTime(u.Created), "activated": apiTime(u.Created), "lastLogin": lastLogin,
		"profile":     map[string]any{"firstName": first, "lastName": last, "login": u.Login, "email": u.Login},
		"credentials": map[string]any{"provider": map[string]string{"type": "OKTA", "name": "OKTA"}},
		"_links":      map[string]any{"self": map[string]string{"href": s.issuerFor(r) + "/api/v1/users/" + u.ID}},
	}
}

// sessionJSON is a session as Okta's Sessions API shows one.
func sessionJSON(ss *Session) map[string]any {
	var factor any
	if ss.MFA {
		factor = apiTime(ss.Created)
	}
	return map[string]any{
		"id": ExternalID(ss.ID), "userId": ss.User.ID, "login": ss.User.Login, "status": "ACTIVE", "createdAt": apiTime(ss.Created),
		"lastPasswordVerification": apiTime(ss.Created), "lastFactorVerification": factor, "amr": ss.amr(), "mfaActive": ss.MFA,
		"idp": map[string]string{"id": "00o1okta", "type": "OKTA"},
		"ip":  ss.IP, "userAgent": ss.UserAgent,
		"lastSeenAt": apiTime(ss.LastSeen), "lastSeenIp": ss.LastIP, "lastSeenUserAgent": ss.LastUserAgent,
	}
}

// mySession and myUser are what a browser's own cookie may read, Okta's
// /api/v1/sessions/me and /api/v1/users/me.
func (s *Server) mySession(w http.ResponseWriter, r *http.Request) {
	ss := visitOf(r).session
	if ss == nil {
		oktaError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: me (Session)")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, sessionJSON(ss))
}

func (s *Server) myUser(w http.ResponseWriter, r *http.Request) {
	ss := visitOf(r).session
	if ss == nil {
		oktaError(w, http.StatusForbidden, "E0000005", "Invalid session")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.userJSON(r, ss.User))
}

// listSessions shows a user's open sessions with where each was made and
// last used: what a defender compares to spot a cookie used elsewhere.
func (s *Server) listSessions(a *apiCall) {
	u := s.user(a.r.PathValue("id"))
	if u == nil {
		notFound(a.w, a.r.PathValue("id"), "User")
		return
	}
	out := []map[string]any{}
	for _, ss := range s.sessionsOf(u) {
		out = append(out, sessionJSON(ss))
	}
	writeJSON(a.w, http.StatusOK, out)
}

// clearSessions ends every session of a user, Okta's "clear user
// sessions"; with oauthTokens=true the access tokens they led to go too.
func (s *Server) clearSessions(a *apiCall) {
	u := s.user(a.r.PathValue("id"))
	if u == nil {
		notFound(a.w, a.r.PathValue("id"), "User")
		return
	}
	admin := userActor(a.token.User)
	for _, ss := range s.sessionsOf(u) {
		s.endSession(a.v, ss, admin, "Cleared by an administrator")
	}
	revoke, _ := strconv.ParseBool(a.r.URL.Query().Get("oauthTokens"))
	if revoke {
		for k, g := range s.access {
			if g.session.User == u {
				delete(s.access, k)
			}
		}
	}
	s.record(a.v, Event{EventType: "user.session.clear", DisplayMessage: "Clear user session", Actor: admin, Outcome: success(),
		Target: []Target{userTarget(u)}, DebugContext: DebugContext{DebugData: map[string]string{"oauthTokens": strconv.FormatBool(revoke)}}})
	a.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) endOneSession(a *apiCall) {
	var ss *Session
	for _, open := range s.sessions {
		if ExternalID(open.ID) == a.r.PathValue("id") {
			ss = open
		}
	}
	if ss == nil {
		notFound(a.w, a.r.PathValue("id"), "Session")
		return
	}
	s.endSession(a.v, ss, userActor(a.token.User), "Ended by an administrator")
	a.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getPolicy(a *apiCall) { writeJSON(a.w, http.StatusOK, s.policy) }

// setPolicy changes the session policy. Unknown fields are refused, so a
// misspelt setting is an error and not a hardening that silently is not.
func (s *Server) setPolicy(a *apiCall) {
	var body struct {
		BindToDevice *bool `json:"bindToDevice"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(a.w, a.r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		oktaError(a.w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.", err.Error())
		return
	}
	if body.BindToDevice == nil {
		oktaError(a.w, http.StatusBadRequest, "E0000001", "Api validation failed: bindToDevice", "bindToDevice: true or false is required.")
		return
	}
	s.policy.BindToDevice = *body.BindToDevice
	s.record(a.v, Event{EventType: "policy.lifecycle.update", DisplayMessage: "Update policy", Actor: userActor(a.token.User),
		Outcome: success(), Target: []Target{{ID: "session", Type: "PolicyEntity", AlternateID: "Session policy", DisplayName: "Session policy"}},
		DebugContext: DebugContext{DebugData: map[string]string{"bindToDevice": strconv.FormatBool(s.policy.BindToDevice)}}})
	writeJSON(a.w, http.StatusOK, s.policy)
}

func notFound(w http.ResponseWriter, id, kind string) {
	oktaError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+id+" ("+kind+")")
}
