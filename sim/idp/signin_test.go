package idp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// A wrong password, an unknown login and a wrong authenticator code each
// give the form again with a clear error, open no session, and are
// logged; the right code then signs in.
func TestSignInSaysWhatWentWrong(t *testing.T) {
	l := newLab(t)
	b := l.browser("", laptopUA)
	for _, tc := range []struct{ login, password, reason string }{
		{"ken@acme.example", "Correct-horse", "INVALID_CREDENTIALS"},
		{"kenny@acme.example", "correct-horse", "VERIFICATION_ERROR"},
		{"ken@acme.example", "", "INVALID_CREDENTIALS"},
	} {
		resp, body := b.post("/login", url.Values{"username": {tc.login}, "password": {tc.password}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, wrongPassword) || !strings.Contains(body, `value="`+tc.login+`"`) {
			t.Errorf("%s/%q: %d, the page does not say why or lost the username", tc.login, tc.password, resp.StatusCode)
		}
		last := l.events("user.session.start")
		if e := last[len(last)-1]; e.Outcome != outcome(ResultFailure, tc.reason) || e.Actor.AlternateID != tc.login || e.Severity != "WARN" {
			t.Errorf("%s: logged %+v", tc.login, e)
		}
	}
	resp, body := b.post("/login", url.Values{"username": {"ken@acme.example"}, "password": {"correct-horse"}})
	if resp.Request.URL.Path != "/login/mfa" || !strings.Contains(body, `name="code"`) {
		t.Fatalf("the right password leads to %s", resp.Request.URL)
	}
	for _, code := range []string{notNow(t), "12345", "abcdef", ""} {
		resp, body = b.post("/login/mfa", url.Values{"code": {code}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, wrongCode) {
			t.Errorf("code %q: %d", code, resp.StatusCode)
		}
	}
	if b.sid() != "" || l.openSessions("ken@acme.example") != 1 {
		t.Fatalf("a session opened without a right code: %q", b.sid())
	}
	if mfa := l.events("user.authentication.auth_via_mfa"); len(mfa) != 4 || mfa[0].Outcome.Result != ResultFailure || mfa[0].AuthenticationContext.ExternalSessionID == "" {
		t.Fatalf("wrong codes logged as %+v", mfa)
	}
	code, _ := totp.GenerateCode(kenTOTP, time.Now())
	resp, body = b.post("/login/mfa", url.Values{"code": {code[:3] + " " + code[3:]}})
	if resp.Request.URL.Path != "/app/UserHome" || !strings.Contains(body, "Ken Sato") || b.sid() == "" {
		t.Fatalf("the right code leads to %s, sid %q", resp.Request.URL, b.sid())
	}
	starts := l.events("user.session.start")
	if e := starts[len(starts)-1]; e.Outcome.Result != ResultSuccess || e.AuthenticationContext.ExternalSessionID != ExternalID(b.sid()) {
		t.Fatalf("the sign-in logged as %+v", e)
	}
}

// notNow is a six-digit code that is no code of Ken's around now.
func notNow(t *testing.T) string {
	var valid []string
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, _ := totp.GenerateCode(kenTOTP, time.Now().Add(d))
		valid = append(valid, c)
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !slices.Contains(valid, c) {
			return c
		}
	}
	t.Fatal("no wrong code")
	return ""
}

// The code step is only reachable after the password step, and not after
// its five minutes.
func TestTheCodeStepNeedsThePasswordStep(t *testing.T) {
	l := newLab(t)
	b := l.browser("", laptopUA)
	b.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	code, _ := totp.GenerateCode(kenTOTP, time.Now())
	for _, try := range []func() *http.Response{
		func() *http.Response { r, _ := b.get("/login/mfa"); return r },
		func() *http.Response { r, _ := b.post("/login/mfa", url.Values{"code": {code}}); return r },
	} {
		if resp := try(); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("without the password step: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	b.post("/login", url.Values{"username": {"ken@acme.example"}, "password": {"correct-horse"}})
	l.skew.Store(int64(pendingTTL + time.Second))
	if resp, _ := b.post("/login/mfa", url.Values{"code": {code}}); resp.Header.Get("Location") != "/login" || b.sid() != "" {
		t.Errorf("after five minutes: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// The session cookie is HttpOnly, Lax and site-wide; signing in never
// sends the browser off the site.
func TestSessionCookieAndOnwardAddress(t *testing.T) {
	l := newLab(t)
	b := l.browser("", laptopUA)
	b.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := b.post("/login", url.Values{"username": {"mia@acme.example"}, "password": {"mia-pass"}, "from": {"//evil.example/x"}})
	var sid *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == SessionCookie {
			sid = c
		}
	}
	if sid == nil || !sid.HttpOnly || sid.Path != "/" || sid.SameSite != http.SameSiteLaxMode || len(sid.Value) < minSessionID {
		t.Fatalf("cookie %+v", sid)
	}
	if loc := resp.Header.Get("Location"); loc != "/app/UserHome" {
		t.Fatalf("sent on to %q", loc)
	}
	for from, want := range map[string]string{"/oauth2/v1/authorize?x=1": "/oauth2/v1/authorize?x=1", "https://evil.example": "/app/UserHome",
		"/\\evil.example": "/app/UserHome", "": "/app/UserHome", "javascript:alert(1)": "/app/UserHome",
		"/login?from=/login": "/app/UserHome", "/login/mfa": "/app/UserHome"} {
		if got := safeFrom(from); got != want {
			t.Errorf("safeFrom(%q) = %q", from, got)
		}
	}
}

// Signing out ends the session; the cookie, kept, no longer works and its
// return is logged.
func TestSignOutEndsTheSession(t *testing.T) {
	l := newLab(t)
	b := l.browser("", laptopUA)
	b.signIn("/app/UserHome", "mia@acme.example", "mia-pass")
	sid := b.sid()
	b.get("/login/signout")
	again := l.browser("", laptopUA)
	again.plant(sid)
	if resp, _ := again.get("/app/UserHome"); resp.Request.URL.Path != "/login" {
		t.Fatalf("a signed-out cookie reaches %s", resp.Request.URL)
	}
	if end := l.events("user.session.end"); len(end) != 1 || end[0].Outcome.Reason != "User logout" || end[0].AuthenticationContext.ExternalSessionID != ExternalID(sid) {
		t.Fatalf("logged %+v", end)
	}
	access := l.events("user.session.access")
	if e := access[len(access)-1]; e.Outcome.Result != ResultFailure || e.Actor.AlternateID != "mia@acme.example" {
		t.Fatalf("the ended cookie's return logged as %+v", e)
	}
}
