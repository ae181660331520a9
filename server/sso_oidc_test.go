package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

const peerSecret = "peer-secret-for-the-range"

// ssoOrg makes an organisation and an OIDC provider for it at issuer,
// mapping the peer's "instructors" group to instructor; it returns the
// organisation's and the provider's ids.
func ssoOrg(t *testing.T, rg *range_, admin, issuer string) (orgID, providerID string) {
	t.Helper()
	o := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Example University", "slug": "example-u", "kind": "university"}, "Authorization", "Bearer "+admin)
	if o.status != 201 {
		t.Fatalf("organisation: %d %s", o.status, o.raw)
	}
	orgID = o.body["id"].(string)
	p := rg.call("POST", "/api/v1/organisations/"+orgID+"/sso/providers", map[string]any{
		"name": "Example University", "protocol": "oidc", "enabled": true, "issuer": issuer,
		"client_id": "sakimori", "client_secret": peerSecret, "allowed_domains": []string{"uni.example.ac.jp"},
		"role_claim": "groups", "instructor_values": []string{"instructors"}, "logout": true,
	}, "Authorization", "Bearer "+admin)
	if p.status != 201 {
		t.Fatalf("provider: %d %s", p.status, p.raw)
	}
	if p.body["has_client_secret"] != true || strings.Contains(p.raw, peerSecret) {
		t.Fatalf("the provider view must say a secret is held and never show it: %s", p.raw)
	}
	return orgID, p.body["id"].(string)
}

// orgRoleOf is the person's role in the organisation, "" if none.
func orgRoleOf(t *testing.T, rg *range_, admin, orgID, email string) string {
	t.Helper()
	r := rg.call("GET", "/api/v1/organisations/"+orgID+"/members", nil, "Authorization", "Bearer "+admin)
	for _, m := range r.body["members"].([]any) {
		m := m.(map[string]any)
		if m["person"].(map[string]any)["email"] == email {
			return m["role"].(string)
		}
	}
	return ""
}

func countUsers(t *testing.T, rg *range_, admin string) int {
	t.Helper()
	r := rg.call("GET", "/api/v1/users?limit=100", nil, "Authorization", "Bearer "+admin)
	return int(r.body["total"].(float64))
}

// Signing in at oidc-provider, an independent OpenID Connect provider:
// a new person lands in the organisation as a trainee, one in the
// instructors group as an instructor, and a returning one as the same
// account; what the organisation does not allow makes no account.
func TestOIDCSignInAtThePeer(t *testing.T) {
	rg, base := liveRange(t)
	issuer := nodePeer(t, "oidc-peer", "peer.mjs",
		"PEER_REDIRECT_URI="+base+"/api/v1/auth/sso/oidc/callback", "PEER_LOGOUT_URI="+base+"/", "PEER_CLIENT_SECRET="+peerSecret)
	admin := rg.setupAdmin()
	orgID, pid := ssoOrg(t, rg, admin, issuer)

	list := rg.call("GET", "/api/v1/auth/sso/providers", nil)
	if ps := list.body["providers"].([]any); len(ps) != 1 || ps[0].(map[string]any)["id"] != pid {
		t.Fatalf("public provider list: %s", list.raw)
	}

	var aliceID string
	t.Run("a new person lands as a trainee of the organisation", func(t *testing.T) {
		b := newBrowser(t, base)
		landed := b.signInAt(pid, "alice")
		if landed.Request.URL.Path != "/" || landed.StatusCode != 200 {
			t.Fatalf("landed on %d %s", landed.StatusCode, landed.Request.URL)
		}
		s := b.session()
		if s.status != 200 {
			t.Fatalf("refresh after sign-in: %d %s", s.status, s.raw)
		}
		u := s.body["user"].(map[string]any)
		if u["email"] != "alice@uni.example.ac.jp" || u["role"] != "trainee" || u["display_name"] != "Alice Trainee" {
			t.Fatalf("user: %v", u)
		}
		aliceID = u["id"].(string)
		if role := orgRoleOf(t, rg, admin, orgID, "alice@uni.example.ac.jp"); role != "member" {
			t.Fatalf("alice's role in the organisation: %q", role)
		}
	})
	t.Run("signing in again is the same account", func(t *testing.T) {
		b := newBrowser(t, base)
		b.signInAt(pid, "alice")
		if id := b.session().body["user"].(map[string]any)["id"]; id != aliceID {
			t.Fatalf("second sign-in is account %v, not %v", id, aliceID)
		}
	})
	t.Run("the instructors group makes an instructor", func(t *testing.T) {
		b := newBrowser(t, base)
		b.signInAt(pid, "bob")
		if u := b.session().body["user"].(map[string]any); u["role"] != "instructor" {
			t.Fatalf("bob: %v", u)
		}
		if role := orgRoleOf(t, rg, admin, orgID, "bob@uni.example.ac.jp"); role != "instructor" {
			t.Fatalf("bob's role in the organisation: %q", role)
		}
	})

	refusals := []struct{ login, code string }{
		{"eve", "sso_email_domain"},  // elsewhere.example is not allowed
		{"una", "sso_email_missing"}, // her email is not verified
	}
	for _, c := range refusals {
		t.Run(c.login+" is refused with "+c.code, func(t *testing.T) {
			before := countUsers(t, rg, admin)
			b := newBrowser(t, base)
			landed := b.signInAt(pid, c.login)
			if landed.Request.URL.Path != "/signin" || landed.Request.URL.Query().Get("sso_error") != c.code {
				t.Fatalf("landed on %s", landed.Request.URL)
			}
			if s := b.session(); s.status != 401 {
				t.Fatalf("a refused sign-in left a session: %d", s.status)
			}
			if after := countUsers(t, rg, admin); after != before {
				t.Fatalf("%d accounts before, %d after", before, after)
			}
		})
	}

	t.Run("a callback is taken once, by the browser that started it, with its own state", func(t *testing.T) {
		b := newBrowser(t, base)
		b.holdAt = "/api/v1/auth/sso/oidc/callback"
		form := b.get(base + "/api/v1/auth/sso/" + pid + "/start")
		b.submit(form.Request.URL.String(), "alice")
		if b.held == nil {
			t.Fatal("the peer never sent the browser back to the callback")
		}
		cb := *b.held
		wrong := cb
		q := wrong.Query()
		q.Set("state", "not-the-state")
		wrong.RawQuery = q.Encode()
		b.holdAt = ""
		for name, u := range map[string]string{"wrong state": wrong.String()} {
			if got := b.get(u).Request.URL.Query().Get("sso_error"); got != "sso_state_invalid" {
				t.Fatalf("%s: %q", name, got)
			}
		}
		// The wrong state cleared the browser's cookie: the real callback
		// now fails too, and so does another browser's use of it.
		other := newBrowser(t, base)
		if got := other.get(cb.String()).Request.URL.Query().Get("sso_error"); got != "sso_state_invalid" {
			t.Fatalf("another browser: %q", got)
		}
	})

	t.Run("failures are shown to admins in plain words", func(t *testing.T) {
		r := rg.call("GET", "/api/v1/organisations/"+orgID+"/sso", nil, "Authorization", "Bearer "+admin)
		fs := r.body["failures"].([]any)
		codes := map[string]string{}
		for _, f := range fs {
			f := f.(map[string]any)
			codes[f["code"].(string)] = f["message"].(string)
		}
		if codes["sso_email_domain"] == "" || codes["sso_email_missing"] == "" {
			t.Fatalf("failures: %s", r.raw)
		}
	})

	t.Run("an account with the email is not taken over; its owner links it", func(t *testing.T) {
		// A range of its own, where alice has a password account first.
		rg2, base2 := liveRange(t)
		issuer2 := nodePeer(t, "oidc-peer", "peer.mjs",
			"PEER_REDIRECT_URI="+base2+"/api/v1/auth/sso/oidc/callback", "PEER_CLIENT_SECRET="+peerSecret)
		admin2 := rg2.setupAdmin()
		_, pid2 := ssoOrg(t, rg2, admin2, issuer2)
		if _, err := rg2.accounts.CreateUser(t.Context(), accounts.NewUser{Email: "alice@uni.example.ac.jp", Password: "alice's own long password", Role: accounts.RoleTrainee}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, base2)
		if got := b.signInAt(pid2, "alice").Request.URL.Query().Get("sso_error"); got != "sso_email_in_use" {
			t.Fatalf("sign-in by email of an existing account: %q", got)
		}
		login := rg2.call("POST", "/api/v1/auth/login", map[string]string{"email": "alice@uni.example.ac.jp", "password": "alice's own long password"})
		token := login.body["access_token"].(string)
		req, _ := http.NewRequest("POST", base2+"/api/v1/me/sso/"+pid2+"/link", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		start := decode(mustDo(t, b.client, req))
		if start.status != 200 {
			t.Fatalf("link: %d %s", start.status, start.raw)
		}
		form := b.get(start.body["redirect_url"].(string))
		landed := b.submit(form.Request.URL.String(), "alice")
		if landed.Request.URL.Path != "/security" {
			t.Fatalf("linking landed on %s", landed.Request.URL)
		}
		b2 := newBrowser(t, base2)
		b2.signInAt(pid2, "alice")
		if id := b2.session().body["user"].(map[string]any)["id"]; id != login.body["user"].(map[string]any)["id"] {
			t.Fatalf("after linking, signing in is account %v", id)
		}
	})

	t.Run("with passwords off, members sign in only through the provider", func(t *testing.T) {
		rg.userWithRole("dora@uni.example.ac.jp", accounts.RoleTrainee)
		put := rg.call("POST", "/api/v1/organisations/"+orgID+"/members", map[string]string{"email": "dora@uni.example.ac.jp", "role": "member"}, "Authorization", "Bearer "+admin)
		if put.status >= 300 {
			t.Fatalf("member: %d %s", put.status, put.raw)
		}
		off := rg.call("PUT", "/api/v1/organisations/"+orgID+"/sso", map[string]bool{"passwords_off": true}, "Authorization", "Bearer "+admin)
		if off.status != 200 || off.body["passwords_off"] != true {
			t.Fatalf("passwords off: %d %s", off.status, off.raw)
		}
		r := rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "dora@uni.example.ac.jp", "password": "long enough password"})
		if r.status != 403 || r.errorCode() != "password_sign_in_off" {
			t.Fatalf("password sign-in with passwords off: %d %s", r.status, r.raw)
		}
		admin := rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "admin@range.test", "password": "correct horse battery"})
		if admin.status != 200 {
			t.Fatalf("a range admin keeps their password: %d %s", admin.status, admin.raw)
		}
	})

	t.Run("RP-initiated logout goes to the peer's end-session page", func(t *testing.T) {
		r := rg.call("POST", "/api/v1/auth/sso/logout", map[string]string{"provider_id": pid})
		to, _ := url.Parse(r.body["redirect_url"].(string))
		if to == nil || to.Query().Get("client_id") != "sakimori" || to.Query().Get("post_logout_redirect_uri") != base+"/" {
			t.Fatalf("logout: %s", r.raw)
		}
	})
}

func mustDo(t *testing.T, c *http.Client, req *http.Request) *http.Response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
