package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/server"
)

func TestHealthAndReadiness(t *testing.T) {
	ok := server.Check{Name: "database", Check: func(context.Context) error { return nil }}
	down := server.Check{Name: "docker", Check: func(context.Context) error { return errors.New("engine not reachable") }}

	rg := newRange(t, withChecks(ok))
	expect(t, rg.call("GET", "/healthz", nil), 200, "")
	r := rg.call("GET", "/readyz", nil)
	expect(t, r, 200, "")
	if r.body["status"] != "ready" {
		t.Fatalf("readyz = %s", r.raw)
	}

	rg = newRange(t, withChecks(ok, down))
	expect(t, rg.call("GET", "/healthz", nil), 200, "")
	r = rg.call("GET", "/readyz", nil)
	expect(t, r, 503, "")
	checks := r.body["checks"].(map[string]any)
	if checks["database"].(map[string]any)["status"] != "ok" ||
		checks["docker"].(map[string]any)["error"] != "engine not reachable" {
		t.Fatalf("readyz does not report each check: %s", r.raw)
	}
}

func TestMetricsCountRoutesNotPaths(t *testing.T) {
	rg := newRange(t)
	rg.call("GET", "/api/v1/setup", nil)
	rg.call("GET", "/api/v1/no/such/thing/1", nil)
	rg.call("GET", "/api/v1/no/such/thing/2", nil)
	r := rg.call("GET", "/metrics", nil)
	expect(t, r, 200, "")
	if !strings.Contains(r.raw, `sakimori_http_requests_total{method="GET",route="/api/v1/setup",status="200"} 1`) {
		t.Fatalf("metrics lack the setup request:\n%s", r.raw)
	}
	if strings.Contains(r.raw, "/no/such/thing") {
		t.Fatal("raw paths leak into metric labels")
	}
}

func TestSecurityHeaders(t *testing.T) {
	rg := newRange(t)
	r := rg.call("GET", "/", nil)
	for h, want := range map[string]string{
		"X-Frame-Options":        "DENY",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		!strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval';") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("CSP = %q", csp)
	}
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS answered although no origins are configured")
	}
}

func TestRequestIDs(t *testing.T) {
	rg := newRange(t)
	r := rg.call("GET", "/healthz", nil, "X-Request-ID", "trace-123")
	if r.header.Get("X-Request-ID") != "trace-123" {
		t.Fatal("a plain caller request id was not kept")
	}
	r = rg.call("GET", "/healthz", nil, "X-Request-ID", "evil\" injected=1")
	if id := r.header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Fatalf("a hostile request id was kept: %q", id)
	}
}

func TestFrontendAndUnknownRoutes(t *testing.T) {
	rg := newRange(t)
	for _, path := range []string{"/", "/setup", "/labs/metadata-heist"} {
		r := rg.call("GET", path, nil)
		if r.status != 200 || !strings.Contains(r.raw, "<title>Sakimori</title>") || r.header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s = %d %q (cache %q)", path, r.status, r.raw, r.header.Get("Cache-Control"))
		}
	}
	r := rg.call("GET", "/assets/app-abc.js", nil)
	if r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d, cache %q", r.status, r.header.Get("Cache-Control"))
	}
	expect(t, rg.call("GET", "/assets/missing.js", nil), 404, "not_found")
	expect(t, rg.call("GET", "/../../etc/passwd", nil), 200, "") // cleaned to /etc/passwd: an app route, not a file
	expect(t, rg.call("GET", "/api/v1/nothing", nil), 404, "not_found")
	expect(t, rg.call("DELETE", "/api/v1/setup", nil), 404, "not_found")
	expect(t, rg.call("POST", "/some/page", nil), 405, "method_not_allowed")
}
