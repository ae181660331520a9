package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Launches, deep links and grade requests the range must refuse, each with
// its code, making no account, cohort, membership, link or token. The
// launches are the instructor's, who would otherwise bind the course to a
// new cohort and join the organisation.
func TestLTIRefusals(t *testing.T) {
	m := ltiRange(t)
	orgID := m.organisation("lms-r")
	m.register(orgID, m.issuer)
	other := startLMS(t, m.base, "PEER_DOMAIN=other.example.ac.jp")
	otherID := m.register(orgID, other)
	stranger := startLMS(t, m.base, "PEER_DOMAIN=stranger.example") // never registered

	untouched := func(t *testing.T, users int) {
		t.Helper()
		if n := countUsers(t, m.rg, m.admin); n != users {
			t.Fatalf("a refused request changed the accounts: %d, was %d", n, users)
		}
		if role := orgRoleOf(t, m.rg, m.admin, orgID, "carol@lms.example.ac.jp"); role != "" {
			t.Fatalf("a refused launch placed carol in the organisation as %q", role)
		}
	}
	launches := []struct {
		name, forge string
		status      int
		code        string
	}{
		{"an expired token", "expired", 401, "lti_token_expired"},
		{"a token signed by a key the platform does not publish", "stranger", 401, "lti_token_untrusted"},
		{"a deployment the platform did not register", "deployment", 403, "lti_deployment_unknown"},
		{"a message of another LTI version", "version", 400, "lti_message_unsupported"},
	}
	for _, c := range launches {
		t.Run(c.name, func(t *testing.T) {
			users := countUsers(t, m.rg, m.admin)
			b := newBrowser(t, m.base)
			action, fields := m.launchForm(b, m.issuer, "user=carol&kind=deeplink", c.forge)
			expect(t, decode(m.post(b, action, fields)), c.status, c.code)
			untouched(t, users)
		})
	}

	t.Run("a launch with another login's state", func(t *testing.T) {
		users := countUsers(t, m.rg, m.admin)
		action, fields := m.launchForm(newBrowser(t, m.base), m.issuer, "user=carol&kind=deeplink", "")
		_, theirs := m.launchForm(newBrowser(t, m.base), m.issuer, "user=carol&kind=deeplink", "")
		fields.Set("state", theirs.Get("state"))
		expect(t, decode(m.post(newBrowser(t, m.base), action, fields)), 401, "lti_state_invalid")
		untouched(t, users)
	})

	t.Run("an unregistered issuer", func(t *testing.T) {
		users := countUsers(t, m.rg, m.admin)
		login := m.rg.call("GET", "/api/v1/lti/login?"+url.Values{"iss": {stranger}, "login_hint": {"carol"}, "client_id": {ltiClientID}}.Encode(), nil)
		expect(t, login, 401, "lti_issuer_unknown")
		// Its token, posted straight at the launch, is refused the same.
		b := newBrowser(t, m.base)
		resp, err := b.client.Get(stranger + "/authorize?" + url.Values{"client_id": {ltiClientID}, "redirect_uri": {m.base + "/api/v1/lti/launch"},
			"response_type": {"id_token"}, "response_mode": {"form_post"}, "scope": {"openid"}, "state": {"s"}, "nonce": {"n"},
			"login_hint": {"carol"}, "lti_message_hint": {`{"user":"carol","kind":"deeplink"}`}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		page := decode(resp)
		fields := url.Values{}
		for _, f := range formField.FindAllStringSubmatch(page.raw, -1) {
			fields.Set(f[1], f[2])
		}
		expect(t, decode(m.post(b, m.base+"/api/v1/lti/launch", fields)), 401, "lti_issuer_unknown")
		untouched(t, users)
	})

	// The replayed launch: the first binds and admits; the same form again is refused.
	var ticket, carolToken string
	t.Run("a replayed nonce", func(t *testing.T) {
		b := newBrowser(t, m.base)
		action, fields := m.launchForm(b, m.issuer, "user=carol&kind=deeplink", "")
		m.post(b, action, fields).Body.Close()
		picker := landed(b)
		if picker == nil {
			t.Fatal("the first launch did not reach the picker")
		}
		ticket = picker.Fragment[len("ticket="):]
		carolToken = b.session().body["access_token"].(string)
		users := countUsers(t, m.rg, m.admin)
		expect(t, decode(m.post(newBrowser(t, m.base), action, fields)), 401, "lti_nonce_replayed")
		if n := countUsers(t, m.rg, m.admin); n != users {
			t.Fatalf("a replay changed the accounts: %d, was %d", n, users)
		}
	})

	t.Run("a deep-link reply with another platform's assignment", func(t *testing.T) {
		b := newBrowser(t, m.base)
		action, fields := m.launchForm(b, other, "user=carol&kind=deeplink", "")
		m.post(b, action, fields).Body.Close()
		otherCohort := landed(b).Query().Get("cohort")
		made := m.rg.call("POST", "/api/v1/cohorts/"+otherCohort+"/assignments", map[string]any{"title": "Theirs", "scenarios": []string{"orientation"},
			"tracks": "attack", "opens_at": "2026-01-05T09:00:00Z", "due_at": "2099-01-12T09:00:00Z", "late_policy": "accept"}, bearer(m.admin)...)
		expect(t, made, 201, "")
		r := m.rg.call("POST", "/api/v1/lti/deep-link", map[string]string{"ticket": ticket, "assignment_id": made.body["id"].(string)}, bearer(carolToken)...)
		expect(t, r, 403, "lti_platform_mismatch")
		if links := m.inspect(m.issuer)["links"].([]any); len(links) != 0 {
			t.Fatalf("the platform got links: %v", links)
		}
		// Nor may another person use carol's ticket.
		otherCarol := b.session().body["access_token"].(string)
		expect(t, m.rg.call("POST", "/api/v1/lti/deep-link", map[string]string{"ticket": ticket, "assignment_id": made.body["id"].(string)},
			bearer(otherCarol)...), 400, "lti_not_deep_linking")
	})

	t.Run("a launch's way in taken twice", func(t *testing.T) {
		b := newBrowser(t, m.base)
		action, fields := m.launchForm(b, m.issuer, "user=carol&kind=deeplink", "")
		b.holdAt = "/api/v1/lti/enter"
		resp, err := b.client.PostForm(action, fields)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if b.held == nil {
			t.Fatal("the launch did not send the browser on to enter")
		}
		enter := b.held.String()
		first, err := http.Get(enter)
		if err != nil {
			t.Fatal(err)
		}
		first.Body.Close()
		if first.Request.URL.Path != "/lti/landed" || !strings.Contains(first.Request.URL.Fragment, "/lti/deep-link") {
			t.Fatalf("entering landed on %s", first.Request.URL)
		}
		again, err := http.Get(enter)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, decode(again), 401, "lti_state_invalid")
	})

	t.Run("an AGS token request for a revoked registration", func(t *testing.T) {
		expect(t, m.rg.call("POST", "/api/v1/lti/platforms/"+otherID+"/revoke", nil, bearer(m.admin)...), 200, "")
		expect(t, m.rg.call("POST", "/api/v1/lti/platforms/"+otherID+"/grades", nil, bearer(m.admin)...), 403, "lti_platform_revoked")
		expect(t, m.rg.call("POST", "/api/v1/lti/platforms/"+otherID+"/roster", nil, bearer(m.admin)...), 403, "lti_platform_revoked")
		if n := m.inspect(other)["tokens_issued"]; n != float64(0) {
			t.Fatalf("the revoked platform was asked for %v tokens", n)
		}
		users := countUsers(t, m.rg, m.admin)
		b := newBrowser(t, m.base)
		b.holdAt = "/api/v1/lti/login"
		b.get(other + "/launch?user=alice")
		resp, err := http.Get(b.held.String())
		if err != nil {
			t.Fatal(err)
		}
		expect(t, decode(resp), 403, "lti_platform_revoked")
		if n := countUsers(t, m.rg, m.admin); n != users {
			t.Fatalf("a revoked platform's launch changed the accounts")
		}
	})
}
