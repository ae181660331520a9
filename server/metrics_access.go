package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sakimori/sakimori/fault"
)

var errMetricsToken = fault.New(fault.Unauthenticated, "metrics_token_required",
	"The metrics need the configured token: Authorization: Bearer <token>.")

// metricsOnPublicPort is /metrics as the public port answers it: 404 when
// the metrics have an address of their own, else the metrics, behind the
// token if one is set.
func metricsOnPublicPort(reg *prometheus.Registry, o Options) fiber.Handler {
	if o.MetricsElsewhere {
		return func(*fiber.Ctx) error { return fiber.ErrNotFound }
	}
	serve := adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	if o.MetricsToken == "" {
		return serve
	}
	return func(c *fiber.Ctx) error {
		if !tokenMatches(c.Get(fiber.HeaderAuthorization), o.MetricsToken) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="sakimori metrics"`)
			return errMetricsToken
		}
		return serve(c)
	}
}

// MetricsHandler serves /metrics alone, for an address of its own (any
// other path is 404), behind the token if one is set.
func MetricsHandler(reg *prometheus.Registry, token string) http.Handler {
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		if token != "" && !tokenMatches(r.Header.Get("Authorization"), token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sakimori metrics"`)
			http.Error(w, errMetricsToken.Message, http.StatusUnauthorized)
			return
		}
		metrics.ServeHTTP(w, r)
	})
}

// tokenMatches compares in constant time, hashes first so not even the
// token's length shows.
func tokenMatches(header, token string) bool {
	got, want := sha256.Sum256([]byte(bearerOf(header))), sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func bearerOf(header string) string {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
