package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

// labWebServer stands in for the orientation web host's httpd on the
// fake. The proxy reaches a lab's port through `nc 127.0.0.1 PORT` run in
// the host; this answers one request with the host's pages, sets a
// cookie the proxy must drop, and keeps the headers that reached the lab.
type labWebServer struct {
	mu   sync.Mutex
	seen []http.Header
}

func (w *labWebServer) install(f *drivertest.Fake) {
	f.Handle("nc", func(_ context.Context, p *drivertest.Process) int {
		if p.Host != "web" || strings.Join(p.Args[1:], " ") != "127.0.0.1 8080" {
			return 1 // nothing listens there
		}
		req, err := http.ReadRequest(bufio.NewReader(p.Stdin))
		if err != nil {
			return 1
		}
		w.mu.Lock()
		w.seen = append(w.seen, req.Header)
		w.mu.Unlock()
		pages := map[string]string{"/status": "ok\n", "/flag.txt": p.Env["FLAG"] + "\n"}
		body, found := pages[req.URL.Path]
		status := http.StatusOK
		if !found {
			status, body = http.StatusNotFound, "no such page\n"
		}
		resp := &http.Response{
			StatusCode: status, ProtoMajor: 1, ProtoMinor: 1, ContentLength: int64(len(body)),
			Header: http.Header{"Set-Cookie": {"lab=1"}, "Content-Type": {"text/plain"}, "Clear-Site-Data": {`"*"`},
				"Refresh": {"0; url=https://evil.example/"}, "Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Credentials": {"true"}},
			Body: io.NopCloser(strings.NewReader(body)),
		}
		if err := resp.Write(p.Stdout); err != nil {
			return 1
		}
		return 0
	})
}

func (w *labWebServer) headers() []http.Header {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]http.Header(nil), w.seen...)
}

// A lab's web target opens through the platform for its trainee and for
// staff, sandboxed, without the browser's credentials; for nobody else,
// and not after the lab stops.
func TestLabWebTargetThroughTheProxy(t *testing.T) {
	f := fakeLabs()
	var web labWebServer
	web.install(f)
	rg := newRangeWithLabs(t, f)
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test", "bob@range.test")

	r := rg.call("GET", "/api/v1/scenarios/orientation", nil, bearer(alice)...)
	if !strings.Contains(r.raw, `"web_targets":[{"host":"web","port":8080,"label":"Status page"}]`) || !strings.Contains(r.raw, `"tracks":["attack","defence"]`) {
		t.Fatalf("scenario view: %s", r.raw)
	}
	lab := runningLab(t, rg, alice)
	target := map[string]any{"host": "web", "port": 8080}
	open := "/api/v1/labs/" + lab + "/web"
	rg.check(t, []apiCase{
		{name: "another trainee", method: "POST", url: open, body: target, token: bob, status: 404, code: "lab_not_found"},
		{name: "a port the scenario does not offer", method: "POST", url: open, body: map[string]any{"host": "web", "port": 22}, token: alice, status: 404, code: "web_target_not_found"},
		{name: "a host the scenario does not offer", method: "POST", url: open, body: map[string]any{"host": "records", "port": 8080}, token: alice, status: 404, code: "web_target_not_found"},
		{name: "no token", method: "POST", url: open, body: target, status: 401, code: "token_missing"},
	})

	r = rg.call("POST", open, target, bearer(alice)...)
	expect(t, r, 201, "")
	url, _ := r.body["url"].(string)
	if !strings.HasPrefix(url, "/lab-web/") || !strings.HasSuffix(url, "/") {
		t.Fatalf("link: %s", r.raw)
	}
	page := rg.call("GET", url+"status", nil, "Cookie", "sakimori_refresh=secret", "Authorization", "Bearer "+alice, "Proxy-Authorization", "Basic c2VjcmV0")
	if page.status != 200 || strings.TrimSpace(page.raw) != "ok" {
		t.Fatalf("the proxied page: %d %q", page.status, page.raw)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox ") || strings.Contains(csp, "allow-same-origin") {
		t.Fatalf("lab content is not sandboxed: %q", csp)
	}
	for _, name := range []string{"Set-Cookie", "Clear-Site-Data", "Refresh", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
		if page.header.Get(name) != "" {
			t.Errorf("a lab's %s reached the platform's origin", name)
		}
	}
	if len(web.headers()) == 0 {
		t.Fatal("test bug: no request reached the lab")
	}
	for _, h := range web.headers() {
		if h.Get("Cookie") != "" || h.Get("Authorization") != "" || h.Get("Proxy-Authorization") != "" {
			t.Fatalf("the range's credentials reached the lab: %v", h)
		}
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
	expect(t, rg.call("POST", open, target, bearer(teacher)...), 201, "")

	expect(t, rg.call("DELETE", "/api/v1/labs/"+lab, nil, bearer(alice)...), 200, "")
	if r := rg.call("GET", url+"status", nil); r.status != 409 || r.errorCode() != "lab_not_running" {
		t.Fatalf("the link after the lab stopped: %d %s", r.status, r.raw)
	}
}

// TestLabWebTargetOnTheEngine: through the proxy, a real lab's web host
// answers with its own page and the trainee's flag.
func TestLabWebTargetOnTheEngine(t *testing.T) {
	rg := newRangeWithLabs(t, engineFor(t))
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	r := rg.call("POST", "/api/v1/labs/"+lab+"/web", map[string]any{"host": "web", "port": 8080}, bearer(alice)...)
	expect(t, r, 201, "")
	url, _ := r.body["url"].(string)
	if page := rg.call("GET", url+"status", nil); page.status != 200 || strings.TrimSpace(page.raw) != "ok" {
		t.Fatalf("the proxied page: %d %q", page.status, page.raw)
	}
	if flag := rg.call("GET", url+"flag.txt", nil); !strings.HasPrefix(flag.raw, "FLAG{") {
		t.Fatalf("the flag through the proxy: %q", flag.raw)
	}
}
