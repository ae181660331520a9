package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

// Over https a launch's state is bound to the browser its login began in
// (a SameSite=None cookie): the same form posted from another browser, or
// with another launch's cookie, signs nobody in.
func TestLTILaunchIsBoundToItsBrowser(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs(), func(d *server.Deps, _ *accounts.Options) {
		d.Options.SecureCookies = true
		d.Options.LoginPerMinute = 1000
	})
	issuer := startLMS(t, publicURL)
	admin := rg.setupAdmin()
	o := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Uni", "slug": "uni-b", "kind": "university"}, bearer(admin)...)
	expect(t, o, 201, "")
	expect(t, rg.call("POST", "/api/v1/organisations/"+o.body["id"].(string)+"/lti/platforms", map[string]any{
		"name": "LMS", "issuer": issuer, "client_id": ltiClientID, "deployment_ids": []string{"deployment-1"},
		"auth_url": issuer + "/authorize", "token_url": issuer + "/token", "jwks_url": issuer + "/jwks",
	}, bearer(admin)...), 201, "")

	// begin plays the login initiation and the LMS's authorization; it
	// returns the launch form and the cookie the range set.
	begin := func() (string, string) {
		login := rg.call("GET", "/api/v1/lti/login?"+url.Values{"iss": {issuer}, "login_hint": {"carol"}, "client_id": {ltiClientID},
			"lti_message_hint": {`{"user":"carol","kind":"deeplink"}`}, "lti_deployment_id": {"deployment-1"}}.Encode(), nil)
		expect(t, login, 302, "")
		var cookie *http.Cookie
		for _, c := range (&http.Response{Header: login.header}).Cookies() {
			if strings.HasPrefix(c.Name, "sakimori_lti_") {
				cookie = c
			}
		}
		if cookie == nil || !cookie.Secure || cookie.SameSite != http.SameSiteNoneMode || !cookie.HttpOnly {
			t.Fatalf("the state cookie: %v", cookie)
		}
		resp, err := http.Get(login.header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		page := decode(resp)
		fields := url.Values{}
		for _, f := range formField.FindAllStringSubmatch(page.raw, -1) {
			fields.Set(f[1], f[2])
		}
		return fields.Encode(), cookie.Name + "=" + cookie.Value
	}
	launch := func(form string, cookie ...string) reply {
		h := []string{"Content-Type", "application/x-www-form-urlencoded"}
		if len(cookie) > 0 {
			h = append(h, "Cookie", cookie[0])
		}
		return rg.call("POST", "/api/v1/lti/launch", form, h...)
	}

	users := countUsers(t, rg, admin)
	form, _ := begin()
	expect(t, launch(form), 401, "lti_state_invalid")
	_, theirs := begin()
	expect(t, launch(form, theirs), 401, "lti_state_invalid")
	if n := countUsers(t, rg, admin); n != users {
		t.Fatalf("a launch from another browser made an account")
	}
	form, mine := begin()
	if r := launch(form, mine); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/api/v1/lti/enter?code=") {
		t.Fatalf("the launch from its own browser: %d %s", r.status, r.raw)
	}
}
