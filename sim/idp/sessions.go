package idp

import (
	"cmp"
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// SessionCookie is the cookie that carries a session, Okta's name for it.
const SessionCookie = "sid"

// Session is a person signed in on one browser. Sessions do not expire:
// a lab lasts hours, and a story's session must outlive its start.
type Session struct {
	ID      string
	User    *User
	Created time.Time
	// IP and UserAgent are where it was made, as the log shows them;
	// session binding compares every later request with them.
	IP, UserAgent string
	MFA           bool
	LastSeen      time.Time
	LastIP        string
	LastUserAgent string
}

func (ss *Session) amr() []string {
	if ss.MFA {
		return []string{"pwd", "mfa"}
	}
	return []string{"pwd"}
}

// visit is what the IdP knows of one request: where it came from, as the
// log shows it, and the session its cookie names when that session may be
// used.
type visit struct {
	ip, ua   string
	uri, url string // path, and path with query, for the log's debugData
	txn      string // one id for the events of one request, Okta's transaction
	session  *Session
	// platform marks a request with the lab's simulator key: a check
	// replaying a cookie as a thief would. It is judged like any other and
	// leaves no trace, in the log or on the session.
	platform bool
}

type visitKey struct{}

func withVisit(ctx context.Context, v *visit) context.Context {
	return context.WithValue(ctx, visitKey{}, v)
}

func visitOf(r *http.Request) *visit {
	if v, ok := r.Context().Value(visitKey{}).(*visit); ok {
		return v
	}
	return &visit{}
}

// arrive matches a request's sid cookie to its session and logs its use.
// Under session binding, a session used from another address or browser
// is refused and ended; the request goes on as if it had no cookie.
func (s *Server) arrive(w http.ResponseWriter, r *http.Request) *visit {
	v := &visit{ip: s.shown(r), ua: r.UserAgent(), uri: r.URL.Path, url: r.URL.RequestURI(), txn: randomToken(27),
		platform: s.simKey != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(labkit.SimKeyHeader)), []byte(s.simKey)) == 1}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.sessions[c.Value]
	if ss == nil {
		// A cookie of a session already ended is someone still holding it:
		// evidence worth a line. Values that never were a session are noise.
		if gone := s.ended[c.Value]; gone != nil {
			s.record(v, sessionEvent(gone, "user.session.access", "User session access", outcome(ResultFailure, "Session has ended")))
		}
		return v
	}
	if s.policy.BindToDevice && (ss.IP != v.ip || ss.UserAgent != v.ua) {
		e := sessionEvent(ss, "policy.evaluate_sign_on", "Evaluation of sign-on policy",
			outcome(ResultDeny, "Session binding: the session is used from another device than it was created on"))
		// Where the session was made, beside where it is used now (client).
		e.DebugContext.DebugData = map[string]string{"sessionIpAddress": ss.IP, "sessionUserAgent": ss.UserAgent}
		s.record(v, e)
		s.endSession(v, ss, userActor(ss.User), "Session binding: device changed")
		clearSessionCookie(w)
		return v
	}
	if !v.platform {
		ss.LastSeen, ss.LastIP, ss.LastUserAgent = s.now().UTC(), v.ip, v.ua
	}
	s.record(v, sessionEvent(ss, "user.session.access", "User session access", success()))
	v.session = ss
	return v
}

// openSession starts a session; s.mu is held (or New is running).
func (s *Server) openSession(id string, u *User, at time.Time, ip, ua string, mfa bool) *Session {
	ss := &Session{ID: id, User: u, Created: at, IP: ip, UserAgent: ua, MFA: mfa, LastSeen: at, LastIP: ip, LastUserAgent: ua}
	s.sessions[id] = ss
	if at.After(u.LastLogin) {
		u.LastLogin = at
	}
	return ss
}

// newSessionID is a fresh sid, in the shape of Okta's (102 and letters).
func newSessionID() string { return "102" + randomToken(minSessionID) }

// ExternalID is how the System Log and the Sessions API name a session:
// an id of its own, not the cookie, so that reading the log (as every
// admin may) never hands anyone a session to replay.
func ExternalID(sessionID string) string { return oktaID("trs", sessionID) }

// endSession closes a session and logs who closed it and why; s.mu is
// held.
func (s *Server) endSession(v *visit, ss *Session, by Actor, why string) {
	delete(s.sessions, ss.ID)
	s.ended[ss.ID] = ss
	e := sessionEvent(ss, "user.session.end", "User logout from Okta", outcome(ResultSuccess, why))
	e.Actor = by
	e.Target = []Target{userTarget(ss.User)}
	s.record(v, e)
}

// sessionsOf lists a user's open sessions, oldest first; s.mu is held.
func (s *Server) sessionsOf(u *User) []*Session {
	var out []*Session
	for _, ss := range s.sessions {
		if ss.User == u {
			out = append(out, ss)
		}
	}
	slices.SortFunc(out, func(a, b *Session) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return out
}

// setSessionCookie hands a browser its session. It is not Secure: a lab
// serves plain HTTP, and a Secure cookie would never come back.
func setSessionCookie(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
