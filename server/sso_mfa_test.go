package server_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A sign-in at an institution's provider stands in for the range's own
// second factor only when the provider asserts one (here the REFEDS MFA
// profile, as GakuNin's IdPs send it). Otherwise a person who set up an
// authenticator app lands on the sign-in page at the factor step, with no
// session until the code is given.
func TestSSOAsksForTheRangesSecondFactor(t *testing.T) {
	s := newSAMLPeer(t)
	b, posted := s.answer(t, url.Values{"login": {"hanako"}})
	if code := s.post(t, b, posted); code != "" {
		t.Fatalf("first sign-in refused: %s", code)
	}
	token, _ := b.session().body["access_token"].(string)
	secret := enrolTOTP(t, contractOf(t, s.rg), s.rg, token, time.Now())

	landAt := func(fields url.Values) (*url.URL, *browser) {
		b, posted := s.answer(t, fields)
		landed, err := b.client.PostForm(s.base+"/api/v1/auth/sso/saml/acs", posted)
		if err != nil {
			t.Fatal(err)
		}
		landed.Body.Close()
		return landed.Request.URL, b
	}

	// Password only at the IdP: the range's own step, and no session yet.
	at, b := landAt(url.Values{"login": {"hanako"}})
	step, _ := url.ParseQuery(at.Fragment)
	raw, err := base64.RawURLEncoding.DecodeString(step.Get("sso_step"))
	if at.Path != "/signin" || err != nil {
		t.Fatalf("landed at %s (%v)", at, err)
	}
	var challenge map[string]any
	if err := json.Unmarshal(raw, &challenge); err != nil || challenge["mfa_required"] != true || !strings.Contains(string(raw), `"totp"`) {
		t.Fatalf("the step: %s", raw)
	}
	if r := b.session(); r.status != 401 {
		t.Fatalf("a session before the second factor: %d %s", r.status, r.raw)
	}
	r := s.rg.call("POST", "/api/v1/auth/mfa/totp", map[string]string{"challenge": challenge["challenge"].(string), "code": code(t, secret, time.Now().Add(30*time.Second))})
	expect(t, r, 200, "")
	if r.cookie("sakimori_refresh") == nil {
		t.Fatalf("the code finished no sign-in: %s", r.raw)
	}

	// Multi-factor at the IdP: straight in.
	at, b = landAt(url.Values{"login": {"hanako"}, "mfa": {"1"}})
	if at.Path != "/" || at.Fragment != "" {
		t.Fatalf("a multi-factor sign-in landed at %s", at)
	}
	if r := b.session(); r.status != 200 {
		t.Fatalf("no session after a multi-factor sign-in: %d %s", r.status, r.raw)
	}
}
