package idp

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Codes are RFC 6238's, as every authenticator app makes them: six digits
// every 30 seconds, one step either side accepted for a drifting clock.
var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// pending is a sign-in whose password was right and whose code is still
// awaited. The browser holds its key in the idx cookie.
type pending struct {
	user      *User
	from      string
	started   time.Time
	sessionID string // the session it will open, named in its events from the start
}

const (
	pendingCookie = "idx"
	pendingTTL    = 5 * time.Minute
)

const (
	wrongPassword = "Unable to sign in: the username or the password is not right."
	wrongCode     = "That code is not right. Enter the 6-digit code your authenticator app shows now."
)

func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/app/UserHome", http.StatusFound)
}

// serveHome is the dashboard a signed-in person lands on: their apps.
func (s *Server) serveHome(w http.ResponseWriter, r *http.Request) {
	ss := visitOf(r).session
	if ss == nil {
		http.Redirect(w, r, "/login?from="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.render(w, http.StatusOK, "home", page{Org: s.org, User: ss.User, Apps: s.apps})
}

func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	from := safeFrom(r.URL.Query().Get("from"))
	if visitOf(r).session != nil {
		http.Redirect(w, r, from, http.StatusFound)
		return
	}
	s.render(w, http.StatusOK, "signin", page{Org: s.org, From: from})
}

// submitLogin checks the password; a person with an authenticator app is
// sent on for its code, anyone else is signed in.
func (s *Server) submitLogin(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	login, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	from := safeFrom(r.PostFormValue("from"))
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByLogin(login)
	if u == nil || subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) != 1 {
		e := Event{EventType: "user.session.start", DisplayMessage: "User login to Okta", Actor: unknownActor(login),
			Outcome: outcome(ResultFailure, "VERIFICATION_ERROR")}
		if u != nil {
			e.Actor, e.Outcome.Reason = userActor(u), "INVALID_CREDENTIALS"
		}
		s.record(v, e)
		s.render(w, http.StatusUnauthorized, "signin", page{Org: s.org, From: from, Username: login, Error: wrongPassword})
		return
	}
	id := newSessionID()
	if u.totpSecret == "" {
		s.record(v, signOnPolicy(u, id, outcome(ResultAllow, "Password only")))
		s.startSession(w, r, v, id, u, false, from)
		return
	}
	s.record(v, signOnPolicy(u, id, outcome(ResultChallenge, "MFA required")))
	s.prunePending()
	key := randomToken(32)
	s.pending[key] = &pending{user: u, from: from, started: s.now(), sessionID: id}
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: key, Path: "/login", MaxAge: int(pendingTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
}

func (s *Server) serveMFA(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pendingOf(r)
	if p == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "mfa", page{Org: s.org, User: p.user})
}

// submitMFA checks the authenticator app's code and signs the person in.
func (s *Server) submitMFA(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	code := strings.ReplaceAll(r.PostFormValue("code"), " ", "")
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pendingOf(r)
	if p == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	e := Event{EventType: "user.authentication.auth_via_mfa", DisplayMessage: "Authentication of user via MFA", Actor: userActor(p.user),
		Outcome: success(), AuthenticationContext: AuthenticationContext{ExternalSessionID: ExternalID(p.sessionID)},
		DebugContext: DebugContext{DebugData: map[string]string{"factor": "GOOGLE_AUTHENTICATOR"}}}
	if ok, _ := totp.ValidateCustom(code, p.user.totpSecret, s.now(), totpOpts); !ok || len(code) != 6 {
		e.Outcome = outcome(ResultFailure, "INVALID_CREDENTIALS")
		s.record(v, e)
		s.render(w, http.StatusUnauthorized, "mfa", page{Org: s.org, User: p.user, Error: wrongCode})
		return
	}
	s.record(v, e)
	c, _ := r.Cookie(pendingCookie)
	delete(s.pending, c.Value)
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: "/login", MaxAge: -1})
	s.startSession(w, r, v, p.sessionID, p.user, true, p.from)
}

func signOnPolicy(u *User, sessionID string, o Outcome) Event {
	return Event{EventType: "policy.evaluate_sign_on", DisplayMessage: "Evaluation of sign-on policy", Actor: userActor(u), Outcome: o,
		AuthenticationContext: AuthenticationContext{ExternalSessionID: ExternalID(sessionID)}}
}

// startSession signs u in on this browser and sends it on to where it was
// going; s.mu is held.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, v *visit, id string, u *User, mfa bool, from string) {
	ss := s.openSession(id, u, s.now().UTC(), v.ip, v.ua, mfa)
	s.record(v, sessionEvent(ss, "user.session.start", "User login to Okta", success()))
	setSessionCookie(w, ss.ID)
	http.Redirect(w, r, from, http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	v := visitOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := v.session; ss != nil && s.sessions[ss.ID] == ss {
		s.endSession(v, ss, userActor(ss.User), "User logout")
	}
	clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusFound)
}

// pendingOf is the request's sign-in awaiting a code, if it has not
// expired; s.mu is held.
func (s *Server) pendingOf(r *http.Request) *pending {
	c, err := r.Cookie(pendingCookie)
	if err != nil {
		return nil
	}
	p := s.pending[c.Value]
	if p == nil || s.now().Sub(p.started) > pendingTTL {
		return nil
	}
	return p
}

func (s *Server) prunePending() {
	for k, p := range s.pending {
		if s.now().Sub(p.started) > pendingTTL {
			delete(s.pending, k)
		}
	}
}

// userByLogin is the sign-in form's lookup: logins only, in any case, as
// Okta's.
func (s *Server) userByLogin(login string) *User {
	for _, u := range s.users {
		if strings.EqualFold(u.Login, login) {
			return u
		}
	}
	return nil
}

// safeFrom keeps a sign-in's onward address on this site, so the form
// cannot be used to send someone elsewhere, and off the sign-in pages,
// where a signed-in browser would be sent round in a loop.
func safeFrom(from string) string {
	u, err := url.Parse(from)
	if err != nil || from == "" || !strings.HasPrefix(from, "/") || strings.HasPrefix(from, "//") ||
		strings.HasPrefix(from, "/\\") || u.Scheme != "" || u.Host != "" || strings.HasPrefix(u.Path, "/login") {
		return "/app/UserHome"
	}
	return from
}
