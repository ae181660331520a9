package server_test

import "testing"

// Registering a platform by hand: what is refused, and a trainee may not.
func TestLTIPlatformRegistration(t *testing.T) {
	rg := newRange(t)
	admin := rg.setupAdmin()
	trainee, _ := rg.userWithRole("hanako@range.test", "trainee")
	o := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Uni", "slug": "uni", "kind": "university"}, bearer(admin)...)
	expect(t, o, 201, "")
	path := "/api/v1/organisations/" + o.body["id"].(string) + "/lti/platforms"
	good := func() map[string]any {
		return map[string]any{"name": "Moodle", "issuer": "https://lms.uni.example", "client_id": "abc", "deployment_ids": []string{"1"},
			"auth_url": "https://lms.uni.example/mod/lti/auth.php", "token_url": "https://lms.uni.example/mod/lti/token.php",
			"jwks_url": "https://lms.uni.example/mod/lti/certs.php"}
	}
	cases := []struct {
		name   string
		change func(map[string]any)
		status int
		code   string
	}{
		{"no deployment", func(b map[string]any) { b["deployment_ids"] = []string{" "} }, 400, "lti_platform_invalid"},
		{"a plain-http token URL elsewhere", func(b map[string]any) { b["token_url"] = "http://lms.uni.example/token" }, 400, "lti_platform_invalid"},
		{"no client id", func(b map[string]any) { b["client_id"] = "" }, 400, "lti_platform_invalid"},
		{"an unknown field", func(b map[string]any) { b["secret"] = "x" }, 400, "field_unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := good()
			c.change(b)
			expect(t, rg.call("POST", path, b, bearer(admin)...), c.status, c.code)
			if n := len(rg.call("GET", path, nil, bearer(admin)...).body["platforms"].([]any)); n != 0 {
				t.Fatalf("a refused registration stored %d platforms", n)
			}
		})
	}
	expect(t, rg.call("POST", path, good(), bearer(trainee)...), 403, "forbidden")
	expect(t, rg.call("POST", path, good(), bearer(admin)...), 201, "")
	expect(t, rg.call("POST", path, good(), bearer(admin)...), 409, "lti_platform_taken")
	list := rg.call("GET", path, nil, bearer(admin)...)
	if tool := list.body["tool"].(map[string]any); tool["login_url"] != publicURL+"/api/v1/lti/login" || tool["jwks_url"] != publicURL+"/api/v1/lti/jwks" {
		t.Fatalf("the tool's values: %v", tool)
	}
	expect(t, rg.call("POST", "/api/v1/lti/platforms/nope/revoke", nil, bearer(admin)...), 404, "lti_platform_not_found")
}
