package idp

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// relyingParty is the wiki as an independent OpenID Connect client sees
// the IdP: through discovery only.
func (l *lab) relyingParty(style oauth2.AuthStyle) (*oidc.Provider, oauth2.Config) {
	l.t.Helper()
	provider, err := oidc.NewProvider(ctx, l.hs.URL)
	if err != nil {
		l.t.Fatalf("discovery: %v", err)
	}
	ep := provider.Endpoint()
	ep.AuthStyle = style
	return provider, oauth2.Config{ClientID: wikiID, ClientSecret: wikiSecret, Endpoint: ep, RedirectURL: wikiBack,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// callback reads the code and state the IdP sent the browser back with.
func callback(t *testing.T, resp *http.Response) (code, state string) {
	t.Helper()
	loc, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), wikiBack+"?") {
		t.Fatalf("want a redirect to the wiki, got %d to %v", resp.StatusCode, loc)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

type oktaClaims struct {
	AMR      []string `json:"amr"`
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	SID      string   `json:"sid"`
	AuthTime int64    `json:"auth_time"`
}

// The whole code flow as a real relying party runs it: discovery, sign-in
// with a password and an authenticator code, the code exchanged with
// client_secret_basic and PKCE, the ID token's signature and claims
// checked against the published keys, userinfo; then the same code again
// is refused and the access token it bought stops working.
func TestCodeFlowWithAnIndependentRelyingParty(t *testing.T) {
	l := newLab(t)
	provider, conf := l.relyingParty(oauth2.AuthStyleInHeader)
	verifier := oauth2.GenerateVerifier()
	b := l.browser("", laptopUA)
	before := time.Now().Add(-time.Second)
	resp, _ := b.signIn(conf.AuthCodeURL("st4te", oidc.Nonce("n0nce"), oauth2.S256ChallengeOption(verifier)), "Ken@acme.example", "correct-horse")
	code, state := callback(t, resp)
	if state != "st4te" || code == "" {
		t.Fatalf("state %q, code %q", state, code)
	}
	tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: wikiID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "0oa-hr"}).Verify(ctx, raw); err == nil {
		t.Fatal("the token verified for another audience")
	}
	if idt.Nonce != "n0nce" || idt.VerifyAccessToken(tok.AccessToken) != nil || idt.Issuer != l.hs.URL {
		t.Fatalf("nonce %q, issuer %q, at_hash %v", idt.Nonce, idt.Issuer, idt.VerifyAccessToken(tok.AccessToken))
	}
	var c oktaClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.AMR, []string{"pwd", "mfa"}) || c.Email != "ken@acme.example" || c.Name != "Ken Sato" || c.SID != b.sid() || c.SID == "" {
		t.Fatalf("claims %+v, browser's sid %q", c, b.sid())
	}
	if at := time.Unix(c.AuthTime, 0); at.Before(before.Truncate(time.Second)) || at.After(time.Now()) {
		t.Fatalf("auth_time %v", at)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject || info.Email != "ken@acme.example" {
		t.Fatalf("userinfo %+v, %v", info, err)
	}
	_, err = conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("the code redeemed twice: %v", err)
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("the access token of a replayed code still works")
	}
	if g := l.events("app.oauth2.token.grant"); len(g) != 1 || !strings.Contains(g[0].Outcome.Reason, "already redeemed") {
		t.Fatalf("the replay is not logged: %+v", g)
	}
	for _, et := range []string{"user.authentication.auth_via_mfa", "user.session.start", "user.authentication.sso",
		"app.oauth2.authorize.code", "app.oauth2.token.grant.access_token", "app.oauth2.token.grant.id_token"} {
		if e := l.events(et); len(e) != 1 || e[0].Outcome.Result != ResultSuccess || e[0].AuthenticationContext.ExternalSessionID != ExternalID(c.SID) {
			t.Errorf("%s: %+v", et, e)
		}
	}
}

// A person without an authenticator app signs in with a password alone,
// and the ID token says so; the client authenticates in the form body.
func TestPasswordOnlySignInAndClientSecretPost(t *testing.T) {
	l := newLab(t)
	provider, conf := l.relyingParty(oauth2.AuthStyleInParams)
	resp, _ := l.browser("", laptopUA).signIn(conf.AuthCodeURL("s"), "mia@acme.example", "mia-pass")
	code, _ := callback(t, resp)
	tok, err := conf.Exchange(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: wikiID}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var c oktaClaims
	_ = idt.Claims(&c)
	if !slices.Equal(c.AMR, []string{"pwd"}) || c.Email != "mia@acme.example" {
		t.Fatalf("claims %+v", c)
	}
}

// The token endpoint refuses a wrong secret, another grant, a code past
// its minute, a code for another client, another redirect URI, and a
// wrong PKCE verifier; each refusal is logged.
func TestTokenEndpointRefusals(t *testing.T) {
	l := newLab(t)
	_, conf := l.relyingParty(oauth2.AuthStyleInParams)
	b := l.browser("", laptopUA)
	b.signIn("/login", "mia@acme.example", "mia-pass")
	newCode := func(opts ...oauth2.AuthCodeOption) string {
		resp, _ := b.get(conf.AuthCodeURL("s", opts...))
		code, _ := callback(t, resp)
		return code
	}
	redeem := func(form url.Values) (int, map[string]string) {
		resp, err := http.PostForm(l.hs.URL+"/oauth2/v1/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]string
		_ = decodeBody(resp, &out)
		return resp.StatusCode, out
	}
	form := func(code string, extra ...string) url.Values {
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {wikiBack},
			"client_id": {wikiID}, "client_secret": {wikiSecret}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return f
	}
	verifier := oauth2.GenerateVerifier()
	cases := []struct {
		name          string
		form          url.Values
		status        int
		error, saying string
	}{
		{"wrong secret", form(newCode(), "client_secret", "guess"), 401, "invalid_client", "Client authentication failed"},
		{"unknown client", form(newCode(), "client_id", "0oa-nope"), 401, "invalid_client", "Client authentication failed"},
		{"password grant", form(newCode(), "grant_type", "password"), 400, "unsupported_grant_type", "grant type"},
		{"another client's code", form(newCode(), "client_id", "0oa-hr", "client_secret", "hr-secret"), 400, "invalid_grant", badCode},
		{"another redirect", form(newCode(), "redirect_uri", "http://evil.example/cb"), 400, "invalid_grant", "redirect_uri"},
		{"wrong verifier", form(newCode(oauth2.S256ChallengeOption(verifier)), "code_verifier", oauth2.GenerateVerifier()), 400, "invalid_grant", "PKCE"},
		{"no verifier", form(newCode(oauth2.S256ChallengeOption(verifier))), 400, "invalid_grant", "PKCE"},
		{"no such code", form("made-up"), 400, "invalid_grant", badCode},
	}
	for _, tc := range cases {
		status, out := redeem(tc.form)
		if status != tc.status || out["error"] != tc.error || !strings.Contains(out["error_description"], tc.saying) || out["access_token"] != "" {
			t.Errorf("%s: %d %v, want %d %s", tc.name, status, out, tc.status, tc.error)
		}
	}
	late := newCode()
	l.skew.Store(int64(codeTTL + time.Second))
	if status, out := redeem(form(late)); status != 400 || out["error"] != "invalid_grant" {
		t.Errorf("a code past its minute: %d %v", status, out)
	}
	if n := len(l.events("app.oauth2.token.grant")); n != len(cases)+1 {
		t.Errorf("%d refusals logged, want %d", n, len(cases)+1)
	}
	l.skew.Store(0)
	if status, out := redeem(form(newCode(oauth2.S256ChallengeOption(verifier)), "code_verifier", verifier)); status != 200 || out["id_token"] == "" {
		t.Errorf("a good redemption after all that: %d %v", status, out)
	}
}

// Authorization requests the IdP will not grant: a bad client or redirect
// URI is shown on a page and never redirected; the others go back to the
// app with OAuth's error; no session means signing in first.
func TestAuthorizeRefusals(t *testing.T) {
	l := newLab(t)
	b := l.browser(laptopAddr, laptopUA)
	b.plant(miaSession)
	good := url.Values{"client_id": {wikiID}, "redirect_uri": {wikiBack}, "response_type": {"code"}, "scope": {"openid email"}, "state": {"s1"}}
	with := func(k, v string) string {
		q := url.Values{}
		for key, vals := range good {
			q[key] = vals
		}
		q.Set(k, v)
		return "/oauth2/v1/authorize?" + q.Encode()
	}
	for _, tc := range []struct{ url, status, wantErr string }{
		{with("client_id", "0oa-nope"), "400", ""},
		{with("redirect_uri", "http://evil.example/cb"), "400", ""},
		{with("response_type", "token"), "302", "unsupported_response_type"},
		{with("scope", "email"), "302", "invalid_scope"},
		{with("scope", "openid admin"), "302", "invalid_scope"},
		{with("code_challenge", "abc") + "&code_challenge_method=plain", "302", "invalid_request"},
	} {
		resp, _ := b.get(tc.url)
		loc, _ := resp.Location()
		switch {
		case tc.status == "400" && (resp.StatusCode != 400 || loc != nil):
			t.Errorf("%s: %d to %v, want a page", tc.url, resp.StatusCode, loc)
		case tc.status == "302" && (loc == nil || !strings.HasPrefix(loc.String(), wikiBack) || loc.Query().Get("error") != tc.wantErr || loc.Query().Get("state") != "s1"):
			t.Errorf("%s: %d to %v, want %s", tc.url, resp.StatusCode, loc, tc.wantErr)
		}
	}
	stranger := l.browser("", laptopUA)
	stranger.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ := stranger.get(with("state", "s2"))
	if loc, _ := resp.Location(); loc == nil || loc.Path != "/login" || !strings.Contains(loc.Query().Get("from"), "/oauth2/v1/authorize?") {
		t.Errorf("without a session: %d to %v", resp.StatusCode, loc)
	}
	resp, _ = stranger.get(with("prompt", "none"))
	if loc, _ := resp.Location(); loc == nil || loc.Query().Get("error") != "login_required" {
		t.Errorf("prompt=none without a session: %v", loc)
	}
}

func TestDiscoveryNamesOktasPaths(t *testing.T) {
	l := newLab(t)
	provider, _ := l.relyingParty(oauth2.AuthStyleAutoDetect)
	var doc map[string]any
	if err := provider.Claims(&doc); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"issuer": "", "authorization_endpoint": "/oauth2/v1/authorize",
		"token_endpoint": "/oauth2/v1/token", "userinfo_endpoint": "/oauth2/v1/userinfo", "jwks_uri": "/oauth2/v1/keys"} {
		if doc[k] != l.hs.URL+want {
			t.Errorf("%s = %v", k, doc[k])
		}
	}
	resp, err := http.Get(l.hs.URL + "/oauth2/v1/keys")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	_ = decodeBody(resp, &set)
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != l.s.keys.kid || set.Keys[0]["alg"] != "RS256" || set.Keys[0]["d"] != nil {
		t.Fatalf("keys %v", set.Keys)
	}
}
