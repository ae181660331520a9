package server_test

import (
	"strings"
	"testing"
)

// An LMS admin adds the range by pasting one URL (IMS LTI Dynamic
// Registration): the LMS opens it with its configuration and a one-time
// token, the range registers itself there and stores the platform, and
// launches through the new registration work. The URL works once.
func TestLTIDynamicRegistrationAtThePeer(t *testing.T) {
	m := ltiRange(t)
	orgID := m.organisation("lms-d")
	made := m.rg.call("POST", "/api/v1/organisations/"+orgID+"/lti/registration-url", nil, bearer(m.admin)...)
	expect(t, made, 201, "")
	regURL := made.body["url"].(string)

	b := newBrowser(t, m.base)
	resp, err := b.client.Get(m.issuer + "/register-tool?url=" + regURL)
	if err != nil {
		t.Fatal(err)
	}
	page := decode(resp)
	if page.status != 200 || !strings.Contains(page.raw, "org.imsglobal.lti.close") {
		t.Fatalf("registration page: %d %s", page.status, page.raw)
	}
	var client, deployment string
	for _, tool := range m.inspect(m.issuer)["tools"].([]any) {
		if tl := tool.(map[string]any); strings.HasPrefix(tl["client_id"].(string), "dyn-") {
			client, deployment = tl["client_id"].(string), tl["deployment_id"].(string)
			if tl["login"] != m.base+"/api/v1/lti/login" || tl["jwks"] != m.base+"/api/v1/lti/jwks" {
				t.Fatalf("the LMS registered the tool as %v", tl)
			}
		}
	}
	list := m.rg.call("GET", "/api/v1/organisations/"+orgID+"/lti/platforms", nil, bearer(m.admin)...)
	ps := list.body["platforms"].([]any)
	if client == "" || len(ps) != 1 || ps[0].(map[string]any)["client_id"] != client || ps[0].(map[string]any)["issuer"] != m.issuer ||
		ps[0].(map[string]any)["deployment_ids"].([]any)[0] != deployment {
		t.Fatalf("the range's platforms: %s (LMS client %q)", list.raw, client)
	}

	carol := newBrowser(t, m.base)
	action, fields := m.launchForm(carol, m.issuer, "user=carol&kind=deeplink&client="+client, "")
	m.post(carol, action, fields).Body.Close()
	if p := landed(carol); p == nil || p.Path != "/lti/deep-link" {
		t.Fatal("a launch through the registered platform did not reach the picker")
	}

	tools := len(m.inspect(m.issuer)["tools"].([]any))
	resp, err = newBrowser(t, m.base).client.Get(m.issuer + "/register-tool?url=" + regURL)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, decode(resp), 403, "lti_registration_invalid")
	forged := regURL[:len(regURL)-4] + "AAAA"
	resp, err = newBrowser(t, m.base).client.Get(m.issuer + "/register-tool?url=" + forged)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, decode(resp), 403, "lti_registration_invalid")
	if n := len(m.inspect(m.issuer)["tools"].([]any)); n != tools {
		t.Fatalf("a refused registration registered at the LMS: %d tools, were %d", n, tools)
	}
	if n := len(m.rg.call("GET", "/api/v1/organisations/"+orgID+"/lti/platforms", nil, bearer(m.admin)...).body["platforms"].([]any)); n != 1 {
		t.Fatalf("a refused registration stored a platform: %d", n)
	}
}
