package idp

import (
	"crypto/subtle"
	"net/http"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/telemetry"
)

// serveSim is the platform's channel, open only to the lab's simulator
// key and never logged:
//
//	GET /_sim/events   the System Log in the common format
//	GET /_sim/state    the session policy and every open session, for checks
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
				sessions = append(sessions, map[string]any{"id": ss.ID, "user": u.Login, "createdAt": apiTime(ss.Created),
					"ip": ss.IP, "userAgent": ss.UserAgent, "mfa": ss.MFA,
					"lastSeenAt": apiTime(ss.LastSeen), "lastSeenIp": ss.LastIP, "lastSeenUserAgent": ss.LastUserAgent})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"policy": s.policy, "sessions": sessions})
	default:
		http.NotFound(w, r)
	}
}
