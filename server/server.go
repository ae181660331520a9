// Package server is Sakimori's web edge: one Fiber app with one route table
// and one error handler. Handlers are thin: parse the request, call a domain
// service, write the response. No domain logic lives here.
package server

import (
	"errors"
	"fmt"
	"github.com/sakimori/sakimori/competency"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/badges"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/lti"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/auth"
	"github.com/sakimori/sakimori/xapi"
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
	ReadTimeout     time.Duration // for a request's headers and body
	// WriteTimeout bounds sending a response. An event stream outlives it,
	// so each of its writes moves the deadline on (streamDeadline).
	WriteTimeout time.Duration
	// TerminalGrace is how long a terminal whose connection dropped (not
	// closed) waits for its page to come back.
	TerminalGrace time.Duration
	// LabWebDeadline bounds one request through a lab web link, the
	// lab's whole answer included; its exec in the lab ends then.
	LabWebDeadline time.Duration
	// MetricsElsewhere: /metrics has an address of its own (MetricsHandler),
	// so the public port answers it 404.
	MetricsElsewhere bool
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// PartnerPerMinute bounds each partner token's calls (zero: 600).
	PartnerPerMinute int
}

// check reports every missing or invalid option at once. The defaults live
// in the configuration; here a zero would silently mean "no limit".
func (o Options) check() error {
	var errs []error
	if o.PublicURL == "" {
		errs = append(errs, errors.New("no public URL"))
	}
	if o.BodyLimit < 1 {
		errs = append(errs, fmt.Errorf("body limit %d: must be positive", o.BodyLimit))
	}
	if o.ReadTimeout <= 0 {
		errs = append(errs, fmt.Errorf("read timeout %s: must be positive", o.ReadTimeout))
	}
	if o.WriteTimeout <= 0 {
		errs = append(errs, fmt.Errorf("write timeout %s: must be positive", o.WriteTimeout))
	}
	if o.LabWebDeadline <= 0 {
		errs = append(errs, fmt.Errorf("lab web deadline %s: must be positive", o.LabWebDeadline))
	}
	if o.TerminalGrace <= 0 {
		errs = append(errs, fmt.Errorf("terminal grace %s: must be positive", o.TerminalGrace))
	}
	if o.LoginPerMinute < 1 || o.LaunchPerMinute < 1 || o.SubmitPerMinute < 1 {
		errs = append(errs, fmt.Errorf("login, launch and submit per minute (%d, %d, %d): must each be at least 1",
			o.LoginPerMinute, o.LaunchPerMinute, o.SubmitPerMinute))
	}
	return errors.Join(errs...)
}

// Deps is everything the server calls into. main builds it; tests build it
// over real SQLite.
type Deps struct {
	Options    Options
	Logger     *slog.Logger
	Accounts   *accounts.Service
	Tokens     *auth.Tokens
	Labs       *labs.Service        // nil: the lab endpoints are not served
	Scoring    *scoring.Service     // nil: the scoring endpoints are not served
	Audit      *audit.Log           // where staff actions are recorded; admins read it
	Cohorts    *cohorts.Service     // nil: the organisation and cohort endpoints are not served
	Boards     *scoring.Boards      // nil: event and cohort scoreboards are not served (they need cohorts too)
	Messages   live.Messages        // nil: the live view and cohort messages are not served (they need labs, scoring and cohorts too)
	Partners   *partners.Service    // nil: the partner API and partner tokens are not served
	SSO        *sso.Service         // nil: nobody signs in through an organisation's provider (needs cohorts too)
	Badges     *badges.Service      // nil: no Open Badges are issued
	LTI        *lti.Service         // nil: no learning platform launches into the range (needs cohorts too)
	Frameworks *competency.Importer // nil: only the bundled competency frameworks, and no imports
	XAPI       *xapi.Service        // nil: organisations' xAPI forwarding is not managed
	Authoring  *authoring.Service   // nil: no scenarios are written on the range (needs cohorts too)
	Templates  fs.FS                // scenario folders an author starts from, one directory each; nil: none
	Checks     []Check              // what /readyz reports
	Metrics    *prometheus.Registry // where HTTP metrics register; /metrics serves it
	Frontend   fs.FS                // the built browser app, served at /
}

// New builds the Fiber app. It takes its options as given and refuses any
// that are missing or invalid.
func New(d Deps) (*fiber.App, error) {
	err := d.Options.check()
	if d.Logger == nil || d.Metrics == nil || d.Accounts == nil || d.Tokens == nil || d.Audit == nil {
		err = errors.Join(err, errors.New("a logger, a metrics registry, the accounts service, the tokens and the audit log are all required"))
	}
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	app := fiber.New(fiber.Config{
		AppName:               "sakimori",
		DisableStartupMessage: true,
		BodyLimit:             d.Options.BodyLimit,
		StreamRequestBody:     true, // bodies beyond BodyLimit reach only upload routes (bodylimits.go)
		// fasthttp would otherwise spool a multipart body of any length
		// to disk before the limits in bodylimits.go could see it.
		DisablePreParseMultipartForm: true,
		ReadTimeout:                  d.Options.ReadTimeout,
		WriteTimeout:                 d.Options.WriteTimeout,
		IdleTimeout:                  2 * time.Minute,
		ReadBufferSize:               16 * 1024, // headers beyond this get 431, not a crash
		ReduceMemoryUsage:            true,      // an idle connection or a live stream holds no buffers (see takeOver)
		ErrorHandler:                 errorHandler(d.Logger, d.Accounts),
		EnableTrustedProxyCheck:      true,
		TrustedProxies:               d.Options.TrustedProxies,
		ProxyHeader:                  proxyHeader(d.Options.TrustedProxies),
		EnableIPValidation:           true,
	})
	routes(app, d)
	return app, nil
}

// proxyHeader believes X-Forwarded-For only when proxies are configured;
// otherwise c.IP() is always the connecting address.
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}
