package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

const metricsToken = "metrics-token-for-tests"

func withMetricsToken(token string) option {
	return func(d *server.Deps, _ *accounts.Options) { d.Options.MetricsToken = token }
}

func withMetricsElsewhere(d *server.Deps, _ *accounts.Options) { d.Options.MetricsElsewhere = true }

// docs/security.md case 13: with a token set, /metrics on the public port
// answers only its bearer.
func TestMetricsTokenGuardsThePublicPort(t *testing.T) {
	rg := newRange(t, withMetricsToken(metricsToken))
	r := rg.call("GET", "/metrics", nil)
	expect(t, r, 401, "metrics_token_required")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("401 without a Bearer challenge: %v", r.header)
	}
	expect(t, rg.call("GET", "/metrics", nil, bearer("metrics-token-for-test")...), 401, "metrics_token_required")
	expect(t, rg.call("GET", "/metrics", nil, "Authorization", "Basic "+metricsToken), 401, "metrics_token_required")
	r = rg.call("GET", "/metrics", nil, bearer(metricsToken)...)
	expect(t, r, 200, "")
	if !strings.Contains(r.raw, "sakimori_http_requests_total") {
		t.Fatalf("metrics body: %.300s", r.raw)
	}
	// Without a token the public port serves them to anyone, as before.
	expect(t, newRange(t).call("GET", "/metrics", nil), 200, "")
}

// docs/security.md case 13: metrics on an address of their own are not
// on the public port at all; there they answer only /metrics, behind the
// token when one is set.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	rg := newRange(t, withMetricsElsewhere)
	expect(t, rg.call("GET", "/metrics", nil), 404, "not_found")
	expect(t, rg.call("GET", "/metrics", nil, bearer(metricsToken)...), 404, "not_found")

	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "sakimori_test_total", Help: "A test counter."}))
	for _, c := range []struct {
		token, path, auth string
		status            int
	}{
		{"", "/metrics", "", 200},
		{"", "/", "", 404},
		{"", "/api/v1/me", "", 404},
		{metricsToken, "/metrics", "", 401},
		{metricsToken, "/metrics", "Bearer wrong-token-entirely", 401},
		{metricsToken, "/metrics", "Bearer " + metricsToken, 200},
		{metricsToken, "/healthz", "Bearer " + metricsToken, 404},
	} {
		srv := httptest.NewServer(server.MetricsHandler(reg, c.token))
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != c.status || (c.status == 200) != strings.Contains(string(body), "sakimori_test_total") {
			t.Errorf("token %q, GET %s with %q: %d %.100s", c.token, c.path, c.auth, resp.StatusCode, body)
		}
	}
}
