package idp

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/telemetry"
)

// serveSim is the platform's channel, open only to the lab's simulator
// key and never logged:
//
//	GET /_sim/events   the System Log in the common format
//	GET /_sim/state    the session policy, every open session and the ids of ended ones, for checks
//	POST /_sim/sessions          open a session as if signed in from a place
//	                             (user, ip as shown, user_agent): a check's
//	                             own, to replay as a thief would
//	DELETE /_sim/sessions/{id}   end it again, unlogged
func (s *Server) serveSim(w http.ResponseWriter, r *http.Request) {
	if s.simKey == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(labkit.SimKeyHeader)), []byte(s.simKey)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/_sim/events":
		w.Header().Set("Content-Type", telemetry.ContentType)
		_ = telemetry.WriteAll(w, s.Events())
	case r.Method == http.MethodGet && r.URL.Path == "/_sim/state":
		s.mu.Lock()
		defer s.mu.Unlock()
		sessions := []map[string]any{}
		for _, u := range s.users {
			for _, ss := range s.sessionsOf(u) {
				sessions = append(sessions, map[string]any{"id": ss.ID, "externalId": ExternalID(ss.ID), "user": u.Login, "createdAt": apiTime(ss.Created),
					"ip": ss.IP, "userAgent": ss.UserAgent, "mfa": ss.MFA,
					"lastSeenAt": apiTime(ss.LastSeen), "lastSeenIp": ss.LastIP, "lastSeenUserAgent": ss.LastUserAgent})
			}
		}
		ended := []string{}
		for id := range s.ended {
			ended = append(ended, id)
		}
		slices.Sort(ended)
		writeJSON(w, http.StatusOK, map[string]any{"policy": s.policy, "sessions": sessions, "ended": ended})
	case r.Method == http.MethodPost && r.URL.Path == "/_sim/sessions":
		s.plantSession(w, r)
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/_sim/sessions/"):
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.sessions, strings.TrimPrefix(r.URL.Path, "/_sim/sessions/"))
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// plantSession opens a session for a check, with MFA done, as if its user
// signed in at ip with user_agent just now.
func (s *Server) plantSession(w http.ResponseWriter, r *http.Request) {
	var body struct {
		User      string `json:"user"`
		IP        string `json:"ip"`
		UserAgent string `json:"user_agent"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "a JSON body with user, ip and user_agent"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user(body.User)
	if _, err := netip.ParseAddr(body.IP); u == nil || err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "no such user, or ip is not an address"})
		return
	}
	ss := s.openSession(newSessionID(), u, s.now().UTC(), body.IP, orDefault(body.UserAgent, labkit.BrowserUA), true)
	writeJSON(w, http.StatusCreated, map[string]string{"id": ss.ID})
}
