package idp

import (
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/telemetry"
)

// Server is the identity provider. One mutex guards its state; the
// System Log has its own, so reading it never waits on a sign-in.
type Server struct {
	mu        sync.Mutex
	org       string
	issuer    string // empty: from each request
	simKey    string
	addresses map[netip.Addr]netip.Addr
	users     []*User
	apps      []*App
	tokens    []*Token
	sessions  map[string]*Session // open, by id (the sid cookie)
	ended     map[string]*Session // closed, kept to name whose cookie comes back
	pending   map[string]*pending // password given, code awaited
	codes     map[string]*grant   // authorization codes
	access    map[string]*grant   // access tokens
	policy    Policy
	keys      *signingKey
	log       *telemetry.Log[Event]
	mux       *http.ServeMux
	now       func() time.Time
}

// User is a person of the organisation.
type User struct {
	ID, Login, Name string
	Admin           bool
	password        string
	totpSecret      string
	Created         time.Time
	LastLogin       time.Time
}

// App is an OpenID Connect client.
type App struct {
	ID, ClientID, Name string
	secret             string
	RedirectURIs       []string
}

// Token is an admin API token; it acts as its user.
type Token struct {
	ID, Name string
	User     *User
	secret   string
}

// Policy is the organisation's session policy, which a trainee hardens.
type Policy struct {
	// BindToDevice refuses a session on a request from another address or
	// browser than the one it was made on, and ends it.
	BindToDevice bool `json:"bindToDevice"`
}

// maxLog bounds the System Log a lab keeps.
const maxLog = 20000

// New makes the IdP a world describes; simKey opens the platform's
// channel (empty: closed).
func New(w *World, simKey string) (*Server, error) {
	keys, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	s := &Server{org: orDefault(w.Org, "Okta"), issuer: w.Issuer, simKey: simKey, addresses: map[netip.Addr]netip.Addr{},
		sessions: map[string]*Session{}, ended: map[string]*Session{}, pending: map[string]*pending{},
		codes: map[string]*grant{}, access: map[string]*grant{}, keys: keys, log: telemetry.NewLog[Event](maxLog), now: time.Now}
	for from, to := range w.Addresses {
		s.addresses[netip.MustParseAddr(from)] = netip.MustParseAddr(to) // ParseWorld checked them
	}
	start := s.now().UTC().Truncate(time.Second)
	for _, u := range w.Users {
		s.users = append(s.users, &User{ID: oktaID("00u", u.Login), Login: u.Login, Name: orDefault(u.Name, u.Login), Admin: u.Admin,
			password: u.Password, totpSecret: u.TOTPSecret, Created: start.Add(-365 * 24 * time.Hour)})
	}
	for _, a := range w.Apps {
		s.apps = append(s.apps, &App{ID: oktaID("0oa", a.ClientID), ClientID: a.ClientID, Name: orDefault(a.Name, a.ClientID),
			secret: a.ClientSecret, RedirectURIs: a.RedirectURIs})
	}
	for _, t := range w.APITokens {
		s.tokens = append(s.tokens, &Token{ID: oktaID("00T", t.User+"/"+t.Name), Name: t.Name, User: s.user(t.User), secret: t.Token})
	}
	planted := make([]*Session, 0, len(w.Sessions))
	for _, d := range w.Sessions {
		ago, _ := labkit.Ago(orDefault(d.Ago, defaultSessionAgo)) // ParseWorld checked it
		planted = append(planted, s.openSession(d.ID, s.user(d.User), start.Add(-ago), s.showAddr(d.IP), orDefault(d.UserAgent, labkit.BrowserUA), d.MFA))
	}
	// Their sign-ins are in the log, oldest first, as if logged then.
	slices.SortStableFunc(planted, func(a, b *Session) int { return a.Created.Compare(b.Created) })
	for _, ss := range planted {
		v := &visit{ip: ss.IP, ua: ss.UserAgent, uri: "/login", url: "/login", txn: randomToken(27)}
		if ss.MFA {
			s.recordAt(v, Event{EventType: "user.authentication.auth_via_mfa", DisplayMessage: "Authentication of user via MFA",
				Actor: userActor(ss.User), Outcome: success(), AuthenticationContext: AuthenticationContext{ExternalSessionID: ExternalID(ss.ID)},
				DebugContext: DebugContext{DebugData: map[string]string{"factor": "GOOGLE_AUTHENTICATOR"}}}, ss.Created)
		}
		s.recordAt(v, sessionEvent(ss, "user.session.start", "User login to Okta", success()), ss.Created)
	}
	s.mux = s.routes()
	return s, nil
}

// routes are Okta's paths. Everything under /api/v1 the table does not
// name gets Okta's error, not the mux's plain text.
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.serveRoot)
	m.HandleFunc("GET /app/UserHome", s.serveHome)
	m.HandleFunc("GET /login", s.serveLogin)
	m.HandleFunc("POST /login", s.submitLogin)
	m.HandleFunc("GET /login/mfa", s.serveMFA)
	m.HandleFunc("POST /login/mfa", s.submitMFA)
	m.HandleFunc("GET /login/signout", s.signOut)
	m.HandleFunc("GET /.well-known/openid-configuration", s.serveDiscovery)
	m.HandleFunc("GET /oauth2/v1/keys", s.serveKeys)
	m.HandleFunc("GET /oauth2/v1/authorize", s.authorize)
	m.HandleFunc("POST /oauth2/v1/token", s.token)
	m.HandleFunc("GET /oauth2/v1/userinfo", s.userinfo)
	m.HandleFunc("POST /oauth2/v1/userinfo", s.userinfo)
	s.adminRoutes(m)
	return m
}

// ServeHTTP matches the request's session before anything else sees it,
// so every use of a session is logged, whatever the path. The platform's
// channel is left out: its requests are no one's evidence.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.serveSim(w, r)
		return
	}
	v := s.arrive(w, r)
	s.mux.ServeHTTP(w, r.WithContext(withVisit(r.Context(), v)))
}

// user finds a user by id or login, as Okta's :id does.
func (s *Server) user(idOrLogin string) *User {
	for _, u := range s.users {
		if u.ID == idOrLogin || strings.EqualFold(u.Login, idOrLogin) {
			return u
		}
	}
	return nil
}

func (s *Server) app(clientID string) *App {
	for _, a := range s.apps {
		if a.ClientID == clientID {
			return a
		}
	}
	return nil
}

// shown is the address the IdP logs for a request.
func (s *Server) shown(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return s.showAddr(ap.Addr().Unmap().String())
}

// showAddr is the address the IdP logs for a lab host's address; any
// other address is shown as it is.
func (s *Server) showAddr(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if to, ok := s.addresses[a.Unmap()]; ok {
		return to.String()
	}
	return a.Unmap().String()
}

// issuerFor is the issuer a request sees: the world's, or the URL it came
// in on.
func (s *Server) issuerFor(r *http.Request) string {
	if s.issuer != "" {
		return s.issuer
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// oktaID is a stable id in Okta's shape (a three-letter kind, then 17
// letters and digits), so a story's ids are the same on every launch.
func oktaID(kind, seed string) string {
	sum := sha256.Sum256([]byte(kind + "/" + seed))
	b := []byte(kind)
	for _, c := range sum[:17] {
		b = append(b, base62[int(c)%len(base62)])
	}
	return string(b)
}

// randomToken is n unguessable letters and digits: session ids, codes,
// access tokens.
func randomToken(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, c := range buf {
			// 248 is the largest multiple of 62 below 256: no letter is likelier.
			if c < 248 && len(out) < n {
				out = append(out, base62[c%62])
			}
		}
	}
	return string(out)
}
