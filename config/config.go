// Package config reads Sakimori's settings from command-line flags and
// SAKIMORI_* environment variables (a flag wins over its variable, and both
// over the default), so the same binary runs unconfigured on a laptop and
// fully configured in a container.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Registration says who may create their own trainee account.
type Registration string

const (
	RegistrationOpen   Registration = "open"   // anyone with the URL
	RegistrationInvite Registration = "invite" // only holders of an invite code
)

// Config is everything the server needs to know before it starts.
type Config struct {
	Listen         string
	PublicURL      string
	DataDir        string
	DatabaseURL    string // empty means SQLite in DataDir
	DockerHost     string // empty means the engine's usual environment (DOCKER_HOST or the local socket)
	SecretsFile    string // empty means DataDir/secrets.json
	Registration   Registration
	TrustedProxies []string
	CORSOrigins    []string
	BodyLimit      int
	AccessTTL      time.Duration
	RefreshTTL     time.Duration
	LoginPerMinute int
	LogFormat      string // "text" or "json"
	LogLevel       string

	LabPool          string // the block lab subnets come from
	LabSubnetBits    int    // each lab network's prefix length
	LabCapacity      int    // labs running at once, range-wide
	LabExtendBy      time.Duration
	LabMaxExtensions int
	LaunchPerMinute  int
	SubmitPerMinute  int
	ScoreboardFreeze time.Time // zero: never frozen
}

// Load parses args (without the program and subcommand names) on top of the
// environment given by getenv.
// Lab network defaults: a private block rarely used by anything else, cut
// into /26 networks of 62 addresses.
const (
	DefaultLabPool       = "10.213.0.0/16"
	DefaultLabSubnetBits = 26
)

func Load(name string, args []string, getenv func(string) string) (Config, error) {
	var c Config
	e := envReader{getenv: getenv}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", e.str("SAKIMORI_LISTEN", "127.0.0.1:8080"), "address to serve the UI and API on")
	fs.StringVar(&c.PublicURL, "public-url", e.str("SAKIMORI_PUBLIC_URL", ""), "URL people reach the server at (default http://LISTEN)")
	fs.StringVar(&c.DataDir, "data-dir", e.str("SAKIMORI_DATA_DIR", "data"), "directory for the SQLite database, secrets and recordings")
	fs.StringVar(&c.DatabaseURL, "database-url", e.str("SAKIMORI_DATABASE_URL", ""), "postgres://… for PostgreSQL; empty for SQLite in the data directory")
	fs.StringVar(&c.DockerHost, "docker-host", e.str("SAKIMORI_DOCKER_HOST", ""), "Docker engine address (default: DOCKER_HOST or the local socket)")
	fs.StringVar(&c.SecretsFile, "secrets-file", e.str("SAKIMORI_SECRETS_FILE", ""), "file holding signing and flag secrets (default DATA_DIR/secrets.json)")
	reg := fs.String("registration", e.str("SAKIMORI_REGISTRATION", string(RegistrationInvite)), "who may register: open or invite")
	proxies := fs.String("trusted-proxies", e.str("SAKIMORI_TRUSTED_PROXIES", ""), "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed")
	origins := fs.String("cors-origins", e.str("SAKIMORI_CORS_ORIGINS", ""), "comma-separated origins allowed to call the API cross-site")
	fs.IntVar(&c.BodyLimit, "body-limit", e.int("SAKIMORI_BODY_LIMIT", 1<<20), "largest request body in bytes")
	fs.DurationVar(&c.AccessTTL, "access-ttl", e.dur("SAKIMORI_ACCESS_TTL", 10*time.Minute), "lifetime of an access token")
	fs.DurationVar(&c.RefreshTTL, "refresh-ttl", e.dur("SAKIMORI_REFRESH_TTL", 7*24*time.Hour), "lifetime of a sign-in session")
	fs.IntVar(&c.LoginPerMinute, "login-per-minute", e.int("SAKIMORI_LOGIN_PER_MINUTE", 10), "failed sign-ins allowed per client address per minute")
	fs.StringVar(&c.LogFormat, "log-format", e.str("SAKIMORI_LOG_FORMAT", "text"), "text or json")
	fs.StringVar(&c.LogLevel, "log-level", e.str("SAKIMORI_LOG_LEVEL", "info"), "debug, info, warn or error")
	fs.StringVar(&c.LabPool, "lab-pool", e.str("SAKIMORI_LAB_POOL", DefaultLabPool), "private block lab networks are cut from")
	fs.IntVar(&c.LabSubnetBits, "lab-subnet-bits", e.int("SAKIMORI_LAB_SUBNET_BITS", DefaultLabSubnetBits), "prefix length of each lab network (26: 62 addresses)")
	fs.IntVar(&c.LabCapacity, "lab-capacity", e.int("SAKIMORI_LAB_CAPACITY", 50), "labs that may run at once across the range")
	fs.DurationVar(&c.LabExtendBy, "lab-extend-by", e.dur("SAKIMORI_LAB_EXTEND_BY", 30*time.Minute), "time one extension adds to a lab")
	fs.IntVar(&c.LabMaxExtensions, "lab-max-extensions", e.int("SAKIMORI_LAB_MAX_EXTENSIONS", 2), "extensions allowed per lab")
	fs.IntVar(&c.LaunchPerMinute, "launch-per-minute", e.int("SAKIMORI_LAUNCH_PER_MINUTE", 6), "lab launches and resets per person per minute")
	fs.IntVar(&c.SubmitPerMinute, "submit-per-minute", e.int("SAKIMORI_SUBMIT_PER_MINUTE", 20), "answers per person per minute")
	freeze := fs.String("scoreboard-freeze", e.str("SAKIMORI_SCOREBOARD_FREEZE", ""), "RFC 3339 time after which trainees see the scoreboard as it was then")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if *freeze != "" {
		t, err := time.Parse(time.RFC3339, *freeze)
		if err != nil {
			return Config{}, fmt.Errorf("scoreboard-freeze %q: not an RFC 3339 time like 2026-12-01T18:00:00+09:00", *freeze)
		}
		c.ScoreboardFreeze = t
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if e.err != nil {
		return Config{}, e.err
	}
	c.Registration = Registration(*reg)
	c.TrustedProxies = splitList(*proxies)
	c.CORSOrigins = splitList(*origins)
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL(c.Listen)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.SecretsFile == "" {
		c.SecretsFile = filepath.Join(c.DataDir, "secrets.json")
	}
	return c, c.validate()
}

func (c Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: %w", c.Listen, err))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("public-url %q: must be an absolute http(s) URL", c.PublicURL))
	}
	if c.Registration != RegistrationOpen && c.Registration != RegistrationInvite {
		errs = append(errs, fmt.Errorf("registration %q: must be open or invite", c.Registration))
	}
	for _, o := range c.CORSOrigins {
		// Credentials (the refresh cookie) never travel to a wildcard origin.
		if o == "*" || strings.Contains(o, "*") {
			errs = append(errs, fmt.Errorf("cors-origins: wildcards are not allowed, name each origin"))
		}
	}
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				errs = append(errs, fmt.Errorf("trusted-proxies: %q is neither an IP nor a CIDR", p))
			}
		}
	}
	if c.BodyLimit < 1024 {
		errs = append(errs, fmt.Errorf("body-limit %d: must be at least 1024 bytes", c.BodyLimit))
	}
	if c.AccessTTL < time.Minute || c.AccessTTL > time.Hour {
		errs = append(errs, fmt.Errorf("access-ttl %s: must be between 1m and 1h", c.AccessTTL))
	}
	if c.RefreshTTL < time.Hour {
		errs = append(errs, fmt.Errorf("refresh-ttl %s: must be at least 1h", c.RefreshTTL))
	}
	if c.LoginPerMinute < 1 {
		errs = append(errs, fmt.Errorf("login-per-minute must be at least 1"))
	}
	if c.LabCapacity < 1 || c.LaunchPerMinute < 1 || c.SubmitPerMinute < 1 || c.LabMaxExtensions < 0 {
		errs = append(errs, fmt.Errorf("lab-capacity, launch-per-minute and submit-per-minute must be at least 1, lab-max-extensions at least 0"))
	}
	if c.LabExtendBy < time.Minute || c.LabExtendBy > 4*time.Hour {
		errs = append(errs, fmt.Errorf("lab-extend-by %s: must be between 1m and 4h", c.LabExtendBy))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q: must be text or json", c.LogFormat))
	}
	return errors.Join(errs...)
}

// SecureCookies says whether cookies must carry the Secure attribute.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.PublicURL, "https://") }

func defaultPublicURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" || host == "127.0.0.1" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// envReader reads defaults from the environment, keeping the first parse
// error so a malformed variable is reported rather than silently ignored.
type envReader struct {
	getenv func(string) string
	err    error
}

func (e *envReader) str(key, def string) string {
	if v := e.getenv(key); v != "" {
		return v
	}
	return def
}

func (e *envReader) int(key string, def int) int {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s=%q: not a whole number", key, v)
	}
	return n
}

func (e *envReader) dur(key string, def time.Duration) time.Duration {
	v := e.getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil && e.err == nil {
		e.err = fmt.Errorf("%s=%q: not a duration like 15m", key, v)
	}
	return d
}
