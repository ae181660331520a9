package ci

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/sim/idp"
)

const kenSession = "102ken3Jf8WqPz6XcV1bN5mL0aS9dG4hK7tR2yUeI0oZ"

// ssoLab is a CI that signs in through the lab's identity provider, and
// the provider with Ken already signed in (his session cookie planted).
func ssoLab(t *testing.T) (*Server, *httptest.Server, *httptest.Server) {
	t.Helper()
	var ciHandler http.Handler
	ciHS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ciHandler.ServeHTTP(w, r) }))
	t.Cleanup(ciHS.Close)
	iw, err := idp.ParseWorld(`
org: Acme
users: [{login: ken@acme.example, name: Ken, password: correct-horse}]
apps: [{client_id: ci, client_secret: ci-secret, name: Acme CI, redirect_uris: ["` + ciHS.URL + `/users/auth/openid_connect/callback"]}]
sessions: [{id: ` + kenSession + `, user: ken@acme.example, ip: 127.0.0.1, ago: 2h, mfa: true}]
`)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := idp.New(iw, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	idpHS := httptest.NewServer(ip)
	t.Cleanup(idpHS.Close)
	w, err := ParseWorld(world + "sso: {issuer: " + idpHS.URL + ", client_id: ci, client_secret: ci-secret, require_sign_in: true}\n")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	ciHandler = s
	return s, ciHS, idpHS
}

// Whoever holds the identity provider's session cookie signs in to the
// CI without a password or second factor: the replay a stolen cookie
// makes possible. The CI's own session then works on its API.
func TestSingleSignOnWithTheProvidersSession(t *testing.T) {
	s, ciHS, idpHS := ssoLab(t)
	jar, _ := cookiejar.New(nil)
	idpURL, _ := url.Parse(idpHS.URL)
	jar.SetCookies(idpURL, []*http.Cookie{{Name: idp.SessionCookie, Value: kenSession, Path: "/"}})
	browser := &http.Client{Jar: jar}

	// Not signed in: the web view sends to the sign-in page.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(ciHS.URL + "/acme/api")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasSuffix(resp.Header.Get("Location"), "users/sign_in") {
		t.Fatalf("not signed in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The sign-in page's button, followed as a browser resolves it.
	page, _ := url.Parse(ciHS.URL + "/users/sign_in")
	resp, err = browser.Get(page.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`href="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no sign-in link in %s", body)
	}
	link, _ := page.Parse(string(m[1]))
	resp, err = browser.Get(link.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "acme/api") {
		t.Fatalf("after sign-in: %d %s", resp.StatusCode, body)
	}
	resp, err = browser.Get(ciHS.URL + "/api/v4/user")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"username":"ken"`) {
		t.Fatalf("API with the session: %d %s", resp.StatusCode, body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var signedIn bool
	for _, e := range s.access {
		if e["username"] == "ken" && e["session_id"] != nil {
			signedIn = true
		}
	}
	if !signedIn {
		t.Errorf("the access log has no session of ken: %v", s.access)
	}
}

// A callback that did not start here (its state unknown) signs no one in.
func TestSingleSignOnRefusesAForeignCallback(t *testing.T) {
	_, ciHS, _ := ssoLab(t)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(ciHS.URL + "/users/auth/openid_connect/callback?code=forged&state=made-up")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Csrf detected") {
		t.Fatalf("foreign callback: %d %s", resp.StatusCode, body)
	}
	ciURL, _ := url.Parse(ciHS.URL)
	for _, c := range jar.Cookies(ciURL) {
		if c.Name == sessionCookie {
			t.Error("a foreign callback made a session")
		}
	}
}
