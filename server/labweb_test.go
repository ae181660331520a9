package server_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// A lab's web target opens through the platform for its trainee and for
// staff, sandboxed, without the browser's credentials; for nobody else,
// and not after the lab stops.
func TestLabWebTargetThroughTheProxy(t *testing.T) {
	rg := newRangeWithLabs(t, engineFor(t))
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)

	r := rg.call("GET", "/api/v1/scenarios/orientation", nil, bearer(alice)...)
	if !strings.Contains(r.raw, `"web_targets":[{"host":"web","port":8080,"label":"Status page"}]`) || !strings.Contains(r.raw, `"tracks":["attack","defence"]`) {
		t.Fatalf("scenario view: %s", r.raw)
	}
	lab := runningLab(t, rg, alice)
	web := map[string]any{"host": "web", "port": 8080}

	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/web", web, bearer(bob)...), 404, "lab_not_found")
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/web", map[string]any{"host": "web", "port": 22}, bearer(alice)...), 404, "web_target_not_found")
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/web", map[string]any{"host": "records", "port": 8080}, bearer(alice)...), 404, "web_target_not_found")
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/web", web, nil...), 401, "token_missing")

	r = rg.call("POST", "/api/v1/labs/"+lab+"/web", web, bearer(alice)...)
	expect(t, r, 201, "")
	url, _ := r.body["url"].(string)
	if !strings.HasPrefix(url, "/lab-web/") || !strings.HasSuffix(url, "/") {
		t.Fatalf("link: %s", r.raw)
	}
	page := rg.call("GET", url+"status", nil, "Cookie", "sakimori_refresh=secret", "Authorization", "Bearer "+alice)
	if page.status != 200 || strings.TrimSpace(page.raw) != "ok" {
		t.Fatalf("the proxied page: %d %q", page.status, page.raw)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox ") || strings.Contains(csp, "allow-same-origin") {
		t.Fatalf("lab content is not sandboxed: %q", csp)
	}
	if page.header.Get("Set-Cookie") != "" {
		t.Fatal("a lab set a cookie on the platform")
	}
	if r := rg.call("GET", strings.TrimSuffix(url, "/"), nil); r.status != 302 || r.header.Get("Location") != url {
		t.Fatalf("the link without its slash: %d %q", r.status, r.header.Get("Location"))
	}
	if flag := rg.call("GET", url+"flag.txt", nil); !strings.HasPrefix(flag.raw, "FLAG{") {
		t.Fatalf("the flag through the proxy: %q", flag.raw)
	}
	if missing := rg.call("GET", url+"no-such-page", nil); missing.status != 404 {
		t.Fatalf("the lab's own 404 is passed on: %d", missing.status)
	}
	if r := rg.call("GET", "/lab-web/not-a-grant/", nil); r.status != 404 || r.errorCode() != "web_link_not_found" {
		t.Fatalf("an unknown link: %d %s", r.status, r.raw)
	}
	// Staff may open it too.
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/web", web, bearer(teacher)...), 201, "")

	expect(t, rg.call("DELETE", "/api/v1/labs/"+lab, nil, bearer(alice)...), 200, "")
	if r := rg.call("GET", url+"status", nil); r.status != 409 || r.errorCode() != "lab_not_running" {
		t.Fatalf("the link after the lab stopped: %d %s", r.status, r.raw)
	}
}
