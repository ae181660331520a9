package idp

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// The test org: Ken, an admin with an authenticator app; Mia, password
// only, already signed in on her laptop (127.0.0.2, shown as
// 203.0.113.10) when the lab starts. 127.0.0.3 is the intruder's host.
const (
	kenTOTP     = "JBSWY3DPEHPK3PXP"
	miaSession  = "102mia7Hq2VxLr9KpW3ZsT8nB4cYdF6gJ0uE5aN1oRkQ"
	kenSession  = "102ken3Jf8WqPz6XcV1bN5mL0aS9dG4hK7tR2yUeI0oZ"
	laptopUA    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	intruderUA  = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	wikiID      = "0oa-wiki"
	wikiSecret  = "wiki-secret+/=" // characters a client must form-encode in basic auth
	wikiBack    = "http://wiki.acme.example/callback"
	adminToken  = "00soc-Tk3nValue"
	userToken   = "00mia-Tk3nValue"
	laptopAddr  = "127.0.0.2"
	laptopShown = "203.0.113.10"
	intruder    = "127.0.0.3"
	intruderIP  = "198.51.100.66"
)

const testWorld = `
org: Acme
addresses: {"127.0.0.2": 203.0.113.10, "127.0.0.3": 198.51.100.66, "127.0.0.1": 10.20.4.50}
users:
  - {login: ken@acme.example, name: Ken Sato, password: correct-horse, admin: true, totp_secret: ` + kenTOTP + `}
  - {login: mia@acme.example, name: Mia Lee, password: mia-pass}
apps:
  - {client_id: ` + wikiID + `, client_secret: "` + wikiSecret + `", name: Acme Wiki, redirect_uris: ["` + wikiBack + `"]}
  - {client_id: 0oa-hr, client_secret: hr-secret, name: HR Portal, redirect_uris: ["http://hr.acme.example/cb"]}
api_tokens:
  - {name: soc, token: ` + adminToken + `, user: ken@acme.example}
  - {name: mia-cli, token: ` + userToken + `, user: mia@acme.example}
sessions:
  - {id: ` + miaSession + `, user: mia@acme.example, ip: 127.0.0.2, user_agent: "` + laptopUA + `", ago: 3h}
  - {id: ` + kenSession + `, user: ken@acme.example, ip: 127.0.0.2, user_agent: "` + laptopUA + `", ago: 1d, mfa: true}
`

// lab is an IdP under test with a clock the test can move forward.
type lab struct {
	t       *testing.T
	started string // when the lab started, as the log writes times
	s       *Server
	hs      *httptest.Server
	skew    atomic.Int64 // nanoseconds added to the IdP's clock
}

func newLab(t *testing.T) *lab {
	t.Helper()
	w, err := ParseWorld(testWorld)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	l := &lab{t: t, s: s, started: time.Now().UTC().Add(-time.Second).Format("2006-01-02T15:04:05.000Z")}
	s.now = func() time.Time { return time.Now().Add(time.Duration(l.skew.Load())) }
	l.hs = httptest.NewServer(s)
	t.Cleanup(l.hs.Close)
	return l
}

// browser is a person's browser on one lab host: its own cookie jar, a
// fixed user agent, and redirects followed while they stay on the IdP.
type browser struct {
	t   *testing.T
	lab *lab
	jar *cookiejar.Jar
	hc  *http.Client
}

func (l *lab) browser(from, ua string) *browser {
	jar, _ := cookiejar.New(nil)
	idp, _ := url.Parse(l.hs.URL)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: agent{ua: ua, rt: &http.Transport{DialContext: dialer.DialContext}},
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Host != idp.Host {
				return http.ErrUseLastResponse // the app's callback: not served here
			}
			return nil
		}}
	return &browser{t: l.t, lab: l, jar: jar, hc: hc}
}

type agent struct {
	ua string
	rt http.RoundTripper
}

func (a agent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", a.ua)
	return a.rt.RoundTrip(r)
}

// plant puts a session cookie in the browser, as a stealer's loot does.
func (b *browser) plant(id string) {
	u, _ := url.Parse(b.lab.hs.URL)
	b.jar.SetCookies(u, []*http.Cookie{{Name: SessionCookie, Value: id, Path: "/"}})
}

func (b *browser) sid() string {
	u, _ := url.Parse(b.lab.hs.URL)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == SessionCookie {
			return c.Value
		}
	}
	return ""
}

func (b *browser) get(target string) (*http.Response, string) {
	b.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = b.lab.hs.URL + target
	}
	return b.do(http.NewRequest(http.MethodGet, target, nil))
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.lab.hs.URL+path, strings.NewReader(form.Encode()))
	if req != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.do(req, err)
}

func (b *browser) do(req *http.Request, err error) (*http.Response, string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// signIn signs a person in on the form, with their authenticator's code
// when they have one, starting from target; it returns the last answer.
func (b *browser) signIn(target, login, password string) (*http.Response, string) {
	b.t.Helper()
	resp, body := b.get(target)
	if resp.Request.URL.Path != "/login" || !strings.Contains(body, `name="password"`) {
		b.t.Fatalf("want the sign-in form, got %s %d", resp.Request.URL, resp.StatusCode)
	}
	resp, body = b.post("/login", url.Values{"username": {login}, "password": {password}, "from": {resp.Request.URL.Query().Get("from")}})
	if resp.Request.URL.Path != "/login/mfa" {
		return resp, body
	}
	code, err := totp.GenerateCode(kenTOTP, time.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	return b.post("/login/mfa", url.Values{"code": {code}})
}

// api calls the admin API with an SSWS token (none if empty).
func (l *lab) api(method, path, token, body string) (int, []byte) {
	l.t.Helper()
	req, _ := http.NewRequest(method, l.hs.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// events are the System Log's events of a type since the lab started,
// oldest first: the planted sessions' sign-ins are from before.
func (l *lab) events(eventType string) []Event {
	var out []Event
	for _, e := range l.s.Events() {
		if e.EventType == eventType && e.Published >= l.started {
			out = append(out, e)
		}
	}
	return out
}

// openSessions counts a user's open sessions.
func (l *lab) openSessions(login string) int {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return len(l.s.sessionsOf(l.s.userByLogin(login)))
}

func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return v
}

func decodeBody(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

var ctx = context.Background()
