package server

import (
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/server/auth"
)

const requestIDKey = "sakimori.request_id"

// A caller's X-Request-ID is kept only if it is short and plain, so nobody
// can write arbitrary text into our logs through it.
var plainID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !plainID.MatchString(id) {
		id = newRequestID()
	} else {
		id = strings.Clone(id) // Fiber reuses the request's memory
	}
	c.Locals(requestIDKey, id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestIDOf is the request's id. A request refused before routing (a
// body over the limit) never met the middleware above; it gets one here,
// so its error can be quoted too.
func requestIDOf(c *fiber.Ctx) string {
	if id, ok := c.Locals(requestIDKey).(string); ok {
		return id
	}
	id := newRequestID()
	c.Locals(requestIDKey, id)
	c.Set(fiber.HeaderXRequestID, id)
	return id
}

// accessLog writes one line per request. The path is logged without its
// query string, which may carry tickets or codes, and without the secrets
// a path itself may carry (see loggedPath).
func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			// The error handler has not run yet; log the status it will give.
			status, _ = describe(err)
		}
		level := slog.LevelInfo
		if p := c.Path(); p == "/healthz" || p == "/readyz" || p == "/metrics" {
			level = slog.LevelDebug
		}
		log.Log(c.UserContext(), level, "request",
			"method", c.Method(), "path", loggedPath(c.Path()), "status", status,
			"ms", time.Since(start).Milliseconds(), "ip", c.IP(), "request_id", requestIDOf(c))
		return err
	}
}

// loggedPath is a request path as logs may keep it. A lab web link,
// /lab-web/<capability>/…, is a bearer secret for hours: its capability is
// replaced by "…". Routing ignores case and repeated slashes, so this does too.
func loggedPath(path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if seg == "" {
			continue
		}
		if strings.EqualFold(seg, strings.Trim(webPrefix, "/")) && i+1 < len(segs) && segs[i+1] != "" {
			segs[i+1] = "…"
			return strings.Join(segs, "/")
		}
		break
	}
	return path
}

// securityHeaders sets the browser protections. The app is served from our
// own origin only; nothing may frame it. Scripts may compile WebAssembly
// ('wasm-unsafe-eval' permits that and no eval of script) because the
// session replayer's terminal emulator is WebAssembly.
func securityHeaders(https bool) fiber.Handler {
	cfg := helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
			"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
		XFrameOptions:  "DENY",
		ReferrerPolicy: "same-origin",
	}
	if https {
		cfg.HSTSMaxAge = 31536000
	}
	return helmet.New(cfg)
}

// corsFor allows the named origins to call the API with credentials. No
// origins configured means no CORS at all: the app is same-origin.
func corsFor(origins []string) fiber.Handler {
	if len(origins) == 0 {
		return nil
	}
	return cors.New(cors.Config{
		AllowOrigins:     strings.Join(origins, ","),
		AllowCredentials: true,
		AllowHeaders:     "Authorization, Content-Type, X-Request-ID",
		MaxAge:           600,
	})
}

// credentialLimiter counts failed attempts per client address on endpoints
// that take a password or code; successful ones are not counted, so a
// person who types correctly is never locked out by their own sign-ins.
// Routes put settle after it, so it sees the status of a refused attempt.
func credentialLimiter(perMinute int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:                    perMinute,
		Expiration:             time.Minute,
		SkipSuccessfulRequests: true,
		KeyGenerator:           func(c *fiber.Ctx) string { return "cred:" + c.IP() },
		LimitReached: func(c *fiber.Ctx) error {
			return fault.New(fault.RateLimited, "too_many_attempts",
				"Too many failed attempts from your address; wait a minute and try again.")
		},
	})
}

// userLimiter counts every request of one signed-in person to an endpoint
// (lab launches, resets): engine work is costly, so bursts are refused
// whether they succeed or not.
func userLimiter(name string, perMinute int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          perMinute,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return name + ":" + auth.PrincipalOf(c).UserID },
		LimitReached: func(c *fiber.Ctx) error {
			return fault.New(fault.RateLimited, "rate_limited", "Too many requests; wait a minute and try again.")
		},
	})
}

// webLimiter bounds the requests one person sends through lab web links,
// all links together: each is an exec in a lab, so a loop in a page (or a
// person) must not flood the engine, and asking for more links gains
// nothing. It runs after the link is resolved to its grant.
func webLimiter(perMinute int) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          perMinute,
		Expiration:   time.Minute,
		KeyGenerator: func(c *fiber.Ctx) string { return "web:" + grantOf(c).actor.UserID },
		LimitReached: func(c *fiber.Ctx) error {
			return fault.New(fault.RateLimited, "rate_limited", "Too many requests to lab web targets; wait a minute.")
		},
	})
}

// settle writes a handler's error response at once rather than when the
// error reaches the app. Middleware that reads the status after c.Next (the
// limiter above) then sees the failure instead of a default 200.
func settle(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return c.App().Config().ErrorHandler(c, err)
	}
	return nil
}

// sameOrigin refuses cookie-authenticated requests sent from another site
// (CSRF). An Origin is accepted if it is the public URL or a configured
// CORS origin, scheme included; the Host header is the sender's to choose,
// so it proves nothing. Browsers always send Origin on POST; where it is
// missing the request is not from a web page, and the SameSite cookie
// covers the rest.
func sameOrigin(publicURL string, extra []string) fiber.Handler {
	o := newOrigins(publicURL, extra)
	return func(c *fiber.Ctx) error {
		origin := c.Get(fiber.HeaderOrigin)
		if origin != "" && !o.allow(origin) {
			return errForeignOrigin
		}
		if origin == "" && c.Get("Sec-Fetch-Site") == "cross-site" {
			return errForeignOrigin
		}
		return c.Next()
	}
}

// origins are the pages allowed to call the API with a person's
// credentials: the public URL and the configured CORS origins, each as
// scheme://host[:port].
type origins struct {
	allowed map[string]bool
	// loopback is the public URL's scheme and port when its host is a
	// loopback name: the same server opened as localhost, 127.0.0.1 or
	// [::1] is then one origin. No other site can be served from there.
	loopback string
}

func newOrigins(publicURL string, extra []string) origins {
	o := origins{allowed: map[string]bool{}}
	for _, e := range append([]string{publicURL}, extra...) {
		if u, ok := originOf(e); ok {
			o.allowed[u.Scheme+"://"+u.Host] = true
		}
	}
	if u, ok := originOf(publicURL); ok && isLoopback(u.Hostname()) {
		o.loopback = u.Scheme + ":" + u.Port()
	}
	return o
}

func (o origins) allow(origin string) bool {
	u, ok := originOf(origin)
	if !ok {
		return false
	}
	return o.allowed[u.Scheme+"://"+u.Host] ||
		(o.loopback != "" && isLoopback(u.Hostname()) && o.loopback == u.Scheme+":"+u.Port())
}

// originOf parses an origin or URL into its scheme and host, lower case,
// without the scheme's default port (browsers leave it out of Origin).
func originOf(s string) (*url.URL, bool) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, false
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return &url.URL{Scheme: u.Scheme, Host: host}, true
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var errForeignOrigin = fault.New(fault.Forbidden, "origin_forbidden", "This request came from another site and was refused.")
