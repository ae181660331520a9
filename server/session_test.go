package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

func TestFirstRunSetup(t *testing.T) {
	rg := newRange(t)
	r := rg.call("GET", "/api/v1/setup", nil)
	expect(t, r, 200, "")
	if r.body["setup_required"] != true || r.body["registration"] != "invite" {
		t.Fatalf("setup status = %s", r.raw)
	}

	good := map[string]string{"setup_code": rg.setupCode, "email": "Admin@Range.Test", "password": "correct horse battery"}
	wrong := map[string]string{"setup_code": "not-the-code", "email": "a@range.test", "password": "correct horse battery"}
	expect(t, rg.call("POST", "/api/v1/setup", wrong), 400, "setup_code_wrong")

	r = rg.call("POST", "/api/v1/setup", good)
	expect(t, r, 201, "")
	user := r.body["user"].(map[string]any)
	if user["role"] != "admin" || user["email"] != "admin@range.test" || r.body["access_token"] == "" {
		t.Fatalf("setup reply = %s", r.raw)
	}
	c := r.cookie("sakimori_refresh")
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/v1/auth" {
		t.Fatalf("refresh cookie = %+v", c)
	}
	if strings.Contains(r.header.Get("Set-Cookie"), "Secure") {
		t.Fatal("Secure cookie on a plain-http public URL would never be sent back")
	}

	good["email"] = "second@range.test"
	expect(t, rg.call("POST", "/api/v1/setup", good), 409, "setup_done")
	if rg.call("GET", "/api/v1/setup", nil).body["setup_required"] != false {
		t.Fatal("setup still required after an admin exists")
	}
}

func TestSignInAndMe(t *testing.T) {
	rg := newRange(t)
	rg.setupAdmin()
	expect(t, rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "admin@range.test", "password": "wrong password!!"}), 401, "bad_credentials")
	expect(t, rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "ghost@range.test", "password": "wrong password!!"}), 401, "bad_credentials")

	r := rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "ADMIN@range.test ", "password": "correct horse battery"})
	expect(t, r, 200, "")
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatal("a reply carrying a token must not be cached")
	}
	token := r.body["access_token"].(string)

	r = rg.call("GET", "/api/v1/me", nil)
	expect(t, r, 401, "token_missing")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatal("401 without a WWW-Authenticate challenge")
	}
	expect(t, rg.call("GET", "/api/v1/me", nil, "Authorization", "Bearer x.y.z"), 401, "token_invalid")
	expect(t, rg.call("GET", "/api/v1/me", nil, "Authorization", "Basic "+token), 401, "token_missing")
	r = rg.call("GET", "/api/v1/me", nil, bearer(token)...)
	expect(t, r, 200, "")
	if r.body["email"] != "admin@range.test" || r.body["role"] != "admin" {
		t.Fatalf("/me = %s", r.raw)
	}
}

func TestFailedSignInsAreRateLimited(t *testing.T) {
	rg := newRange(t) // 5 failures a minute
	rg.setupAdmin()
	bad := map[string]string{"email": "admin@range.test", "password": "wrong password!!"}
	good := map[string]string{"email": "admin@range.test", "password": "correct horse battery"}
	for range 3 {
		expect(t, rg.call("POST", "/api/v1/auth/login", good), 200, "") // successes are not counted
	}
	for i := range 5 {
		if r := rg.call("POST", "/api/v1/auth/login", bad); r.status != 401 {
			t.Fatalf("attempt %d: %d", i+1, r.status)
		}
	}
	r := rg.call("POST", "/api/v1/auth/login", bad)
	expect(t, r, 429, "too_many_attempts")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Even the right password waits out the window: otherwise the limit
	// would tell a guesser nothing.
	expect(t, rg.call("POST", "/api/v1/auth/login", good), 429, "too_many_attempts")
}

func TestRefreshRotatesAndReuseRevokesTheFamily(t *testing.T) {
	rg := newRange(t)
	_, first := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)

	r := rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(first)...)
	expect(t, r, 200, "")
	second := r.cookie("sakimori_refresh")
	if second == nil || second.Value == first.Value || r.body["access_token"] == "" {
		t.Fatalf("refresh did not rotate: %+v", second)
	}

	// The first token again: a replay. The whole family ends, so the
	// legitimate holder of the second token is signed out too.
	r = rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(first)...)
	expect(t, r, 401, "session_reused")
	if c := r.cookie("sakimori_refresh"); c == nil || c.Value != "" {
		t.Fatal("a failed refresh must clear the cookie")
	}
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(second)...), 401, "session_invalid")
}

func TestRefreshAndLogoutRefuseOtherSites(t *testing.T) {
	rg := newRange(t)
	_, c := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c, "Origin", "https://evil.example")...), 403, "origin_forbidden")
	expect(t, rg.call("POST", "/api/v1/auth/logout", nil, withCookie(c, "Sec-Fetch-Site", "cross-site")...), 403, "origin_forbidden")
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c, "Origin", "http://range.test.evil.example")...), 403, "origin_forbidden")
	r := rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c, "Origin", publicURL)...)
	expect(t, r, 200, "")
	c = r.cookie("sakimori_refresh")
	// A page of another site that names itself in the Host header is
	// still another site; so is the public host over another scheme.
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c, "Origin", "http://evil.example", "Host", "evil.example")...), 403, "origin_forbidden")
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c, "Origin", "https://range.test")...), 403, "origin_forbidden")
	expect(t, rg.call("POST", "/api/v1/auth/logout", nil, withCookie(c, "Origin", "http://evil.example", "Host", "evil.example")...), 403, "origin_forbidden")
}

// A range whose public URL is a loopback name is one origin under each of
// them (localhost, 127.0.0.1, [::1]), on its own scheme and port only.
func TestRefreshFromTheLoopbackUnderAnotherName(t *testing.T) {
	rg := newRange(t, withPublicURL("http://localhost:8080"))
	_, c := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	for _, origin := range []string{"http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080"} {
		r := rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c, "Origin", origin, "Host", "127.0.0.1:8080")...)
		expect(t, r, 200, "")
		c = r.cookie("sakimori_refresh")
	}
	for _, origin := range []string{"http://127.0.0.1:9999", "https://127.0.0.1:8080", "http://evil.example:8080"} {
		expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c, "Origin", origin, "Host", "127.0.0.1:8080")...), 403, "origin_forbidden")
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	rg := newRange(t)
	_, c := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	expect(t, rg.call("POST", "/api/v1/auth/logout", nil, withCookie(c)...), 204, "")
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(c)...), 401, "session_invalid")
	expect(t, rg.call("POST", "/api/v1/auth/logout", nil), 204, "") // twice is harmless
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil), 401, "session_invalid")
}
