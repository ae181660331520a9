// Package server is Sakimori's web edge: one Fiber app with one route table
// and one error handler. Handlers are thin: parse the request, call a domain
// service, write the response. No domain logic lives here.
package server

import (
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/auth"
)

// Options are the web settings the server needs from configuration.
type Options struct {
	PublicURL       string
	BodyLimit       int
	TrustedProxies  []string
	CORSOrigins     []string
	SecureCookies   bool
	RefreshTTL      time.Duration
	LoginPerMinute  int
	LaunchPerMinute int // lab launches and resets per person per minute
	SubmitPerMinute int // answers per person per minute
	Version         string
	ReadTimeout     time.Duration // for a request's headers and body; zero: 30 s
	// TerminalGrace is how long a terminal whose connection dropped (not
	// closed) waits for its page to come back; zero: 60 s.
	TerminalGrace time.Duration
}

// Deps is everything the server calls into. main builds it; tests build it
// over real SQLite.
type Deps struct {
	Options  Options
	Logger   *slog.Logger
	Accounts *accounts.Service
	Tokens   *auth.Tokens
	Labs     *labs.Service        // nil: the lab endpoints are not served
	Scoring  *scoring.Service     // nil: the scoring endpoints are not served
	Checks   []Check              // what /readyz reports
	Metrics  *prometheus.Registry // where HTTP metrics register; /metrics serves it
	Frontend fs.FS                // the built browser app, served at /
}

// New builds the Fiber app.
func New(d Deps) *fiber.App {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	app := fiber.New(fiber.Config{
		AppName:                 "sakimori",
		DisableStartupMessage:   true,
		BodyLimit:               d.Options.BodyLimit,
		ReadTimeout:             readTimeout(d.Options.ReadTimeout),
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             2 * time.Minute,
		ReadBufferSize:          16 * 1024, // headers beyond this get 431, not a crash
		ErrorHandler:            errorHandler(d.Logger),
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.Options.TrustedProxies,
		ProxyHeader:             proxyHeader(d.Options.TrustedProxies),
		EnableIPValidation:      true,
	})
	routes(app, d)
	return app
}

// proxyHeader believes X-Forwarded-For only when proxies are configured;
// otherwise c.IP() is always the connecting address.
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

func readTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return 30 * time.Second
	}
	return d
}
