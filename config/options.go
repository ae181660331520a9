package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// options are every setting: its name, its default, how its text is read
// and what makes it valid, side by side. The flag is -name and the variable
// SAKIMORI_NAME (capitals, "_" for "-") unless the option says otherwise.
var options = []option{
	{name: "listen", def: "127.0.0.1:8080", usage: "address to serve the UI and API on",
		read: text(func(c *Config) *string { return &c.Listen }),
		check: func(c Config) error {
			if _, _, err := net.SplitHostPort(c.Listen); err != nil {
				return fmt.Errorf("%q: %w", c.Listen, err)
			}
			return nil
		}},
	{name: "public-url", def: "", usage: "URL people reach the server at (default http://LISTEN)",
		read: text(func(c *Config) *string { return &c.PublicURL }),
		check: func(c Config) error {
			if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("%q: must be an absolute http(s) URL", c.PublicURL)
			}
			return nil
		}},
	{name: "data-dir", def: "data", usage: "directory for the SQLite database, secrets and recordings",
		read: text(func(c *Config) *string { return &c.DataDir })},
	{name: "database-url", def: "", usage: "postgres://… for PostgreSQL; empty for SQLite in the data directory",
		read: text(func(c *Config) *string { return &c.DatabaseURL })},
	{name: "docker-host", def: "", usage: "Docker engine address (default: DOCKER_HOST or the local socket)",
		read: text(func(c *Config) *string { return &c.DockerHost }),
		check: func(c Config) error {
			if c.DockerHost == "" {
				return nil
			}
			u, err := url.Parse(c.DockerHost)
			if err != nil {
				return fmt.Errorf("%q: %w", c.DockerHost, err)
			}
			switch u.Scheme {
			case "unix", "tcp", "ssh", "npipe", "http", "https":
				return nil
			}
			return fmt.Errorf("%q: must be an address like unix:///var/run/docker.sock or tcp://host:2375", c.DockerHost)
		}},
	{name: "secrets-file", def: "", usage: "file holding signing and flag secrets (default DATA_DIR/secrets.json)",
		read: text(func(c *Config) *string { return &c.SecretsFile })},
	{name: "registration", def: string(RegistrationInvite), usage: "who may register: open or invite",
		read: reader{"open|invite", func(c *Config, v string) error { c.Registration = Registration(v); return nil }},
		check: func(c Config) error {
			if c.Registration != RegistrationOpen && c.Registration != RegistrationInvite {
				return fmt.Errorf("%q: must be open or invite", c.Registration)
			}
			return nil
		}},
	{name: "trusted-proxies", def: "", usage: "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed",
		read: list(func(c *Config) *[]string { return &c.TrustedProxies }),
		check: func(c Config) error {
			for _, p := range c.TrustedProxies {
				if net.ParseIP(p) == nil {
					if _, _, err := net.ParseCIDR(p); err != nil {
						return fmt.Errorf("%q is neither an IP nor a CIDR", p)
					}
				}
			}
			return nil
		}},
	{name: "cors-origins", def: "", usage: "comma-separated origins allowed to call the API cross-site",
		read: list(func(c *Config) *[]string { return &c.CORSOrigins }),
		check: func(c Config) error {
			for _, o := range c.CORSOrigins {
				// Credentials (the refresh cookie) never travel to a wildcard origin.
				if strings.Contains(o, "*") {
					return fmt.Errorf("wildcards are not allowed, name each origin")
				}
			}
			return nil
		}},
	{name: "body-limit", def: "1048576", usage: "largest request body in bytes, on every route but the framework imports",
		read:  whole(func(c *Config) *int { return &c.BodyLimit }),
		check: func(c Config) error { return atLeast(c.BodyLimit, 1024) }},
	{name: "framework-import-limit", def: "104857600", usage: "largest SecBoK workbook or ATT&CK STIX bundle an admin may import, in bytes (these two routes are bounded by this, not body-limit)",
		read:  whole(func(c *Config) *int { return &c.FrameworkImportLimit }),
		check: func(c Config) error { return atLeast(c.FrameworkImportLimit, 1024) }},
	{name: "read-timeout", def: "30s", usage: "time a client has to send a request's headers and body",
		read:  span(func(c *Config) *time.Duration { return &c.ReadTimeout }),
		check: func(c Config) error { return between(c.ReadTimeout, time.Second, 10*time.Minute) }},
	{name: "write-timeout", def: "30s", usage: "time the server has to send a response; an event stream gets it again at every write",
		read:  span(func(c *Config) *time.Duration { return &c.WriteTimeout }),
		check: func(c Config) error { return between(c.WriteTimeout, time.Second, 10*time.Minute) }},
	{name: "access-ttl", def: "10m", usage: "lifetime of an access token",
		read:  span(func(c *Config) *time.Duration { return &c.AccessTTL }),
		check: func(c Config) error { return between(c.AccessTTL, time.Minute, time.Hour) }},
	{name: "refresh-ttl", def: "168h", usage: "lifetime of a sign-in session",
		read: span(func(c *Config) *time.Duration { return &c.RefreshTTL }),
		check: func(c Config) error {
			if c.RefreshTTL < time.Hour {
				return fmt.Errorf("%s: must be at least 1h", c.RefreshTTL)
			}
			return nil
		}},
	{name: "login-per-minute", def: "10", usage: "failed sign-ins allowed per client address per minute",
		read:  whole(func(c *Config) *int { return &c.LoginPerMinute }),
		check: func(c Config) error { return atLeast(c.LoginPerMinute, 1) }},
	// /metrics tells an outsider the range's routes, load and versions:
	// serve it on a private address, or behind a token, or both.
	{name: "metrics-listen", def: "", usage: "separate address to serve /metrics on; then the public port answers it 404",
		read: text(func(c *Config) *string { return &c.MetricsListen }),
		check: func(c Config) error {
			if c.MetricsListen == "" {
				return nil
			}
			if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
				return fmt.Errorf("%q: %w", c.MetricsListen, err)
			}
			if c.MetricsListen == c.Listen {
				return fmt.Errorf("%q: must differ from the listen address", c.MetricsListen)
			}
			return nil
		}},
	{name: "metrics-token", def: "", usage: "bearer token /metrics requires (set it through the variable, not the command line)",
		secret: true,
		read:   text(func(c *Config) *string { return &c.MetricsToken }),
		check: func(c Config) error {
			if c.MetricsToken != "" && (len(c.MetricsToken) < 16 || strings.ContainsAny(c.MetricsToken, " \t\r\n")) {
				return fmt.Errorf("must be at least 16 characters, with no white space")
			}
			return nil
		}},
	{name: "log-format", def: "text", usage: "text or json",
		read: text(func(c *Config) *string { return &c.LogFormat }),
		check: func(c Config) error {
			if c.LogFormat != "text" && c.LogFormat != "json" {
				return fmt.Errorf("%q: must be text or json", c.LogFormat)
			}
			return nil
		}},
	{name: "log-level", def: "info", usage: "debug, info, warn or error",
		read: text(func(c *Config) *string { return &c.LogLevel }),
		check: func(c Config) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
				return fmt.Errorf("%q: must be debug, info, warn or error", c.LogLevel)
			}
			return nil
		}},
	{name: "terminal-grace", def: "1m", usage: "time a terminal whose connection dropped waits for its page to come back",
		read:  span(func(c *Config) *time.Duration { return &c.TerminalGrace }),
		check: func(c Config) error { return between(c.TerminalGrace, time.Second, 30*time.Minute) }},
	// A lab's web answer is streamed, and its exec in the lab ends at the
	// deadline; the server's write timeout (30s) bounds the sending too.
	{name: "lab-web-deadline", def: "30s", usage: "time one request through a lab web link may take, its answer included",
		read:  span(func(c *Config) *time.Duration { return &c.LabWebDeadline }),
		check: func(c Config) error { return between(c.LabWebDeadline, time.Second, 5*time.Minute) }},

	// A private block rarely used by anything else, cut into /26 networks
	// of 62 addresses.
	{name: "lab-pool", def: "10.213.0.0/16", usage: "private block lab networks are cut from",
		read: text(func(c *Config) *string { return &c.LabPool }),
		check: func(c Config) error {
			if p, err := netip.ParsePrefix(c.LabPool); err != nil || !p.Addr().Is4() {
				return fmt.Errorf("%q: not an IPv4 prefix like 10.213.0.0/16", c.LabPool)
			}
			return nil
		}},
	{name: "lab-subnet-bits", def: "26", usage: "prefix length of each lab network (26: 62 addresses)",
		read: whole(func(c *Config) *int { return &c.LabSubnetBits }),
		check: func(c Config) error {
			if c.LabSubnetBits < 9 || c.LabSubnetBits > 29 {
				return fmt.Errorf("%d: must be between 9 and 29", c.LabSubnetBits)
			}
			return nil
		}},
	{name: "lab-capacity", def: "50", usage: "labs that may run at once across the range",
		read:  whole(func(c *Config) *int { return &c.LabCapacity }),
		check: func(c Config) error { return atLeast(c.LabCapacity, 1) }},
	{name: "lab-provision-timeout", def: "2m", usage: "time a lab launch may take before it fails",
		read:  span(func(c *Config) *time.Duration { return &c.LabProvisionTimeout }),
		check: func(c Config) error { return between(c.LabProvisionTimeout, 10*time.Second, time.Hour) }},
	{name: "lab-extend-by", def: "30m", usage: "time one extension adds to a lab",
		read:  span(func(c *Config) *time.Duration { return &c.LabExtendBy }),
		check: func(c Config) error { return between(c.LabExtendBy, time.Minute, 4*time.Hour) }},
	{name: "lab-max-extensions", def: "2", usage: "extensions allowed per lab",
		read:  whole(func(c *Config) *int { return &c.LabMaxExtensions }),
		check: func(c Config) error { return atLeast(c.LabMaxExtensions, 0) }},
	// What one authored scenario may ask of the engine; the manifest rules
	// bound every scenario (8 hosts, 1GiB and 2 cores each) whatever these say.
	{name: "authored-max-hosts", def: "4", usage: "hosts an authored scenario may have",
		read:  whole(func(c *Config) *int { return &c.AuthoredMaxHosts }),
		check: func(c Config) error { return wholeBetween(c.AuthoredMaxHosts, 1, 8) }},
	{name: "authored-max-memory-mib", def: "1024", usage: "memory, in MiB, an authored scenario's hosts may ask for together (256 each where unset)",
		read:  whole(func(c *Config) *int { return &c.AuthoredMaxMemoryMiB }),
		check: func(c Config) error { return wholeBetween(c.AuthoredMaxMemoryMiB, 16, 8<<10) }},
	{name: "authored-max-cpus", def: "2", usage: "cores an authored scenario's hosts may ask for together (0.5 each where unset)",
		read:  whole(func(c *Config) *int { return &c.AuthoredMaxCPUs }),
		check: func(c Config) error { return wholeBetween(c.AuthoredMaxCPUs, 1, 16) }},
	{name: "launch-per-minute", def: "6", usage: "lab launches and resets per person per minute",
		read:  whole(func(c *Config) *int { return &c.LaunchPerMinute }),
		check: func(c Config) error { return atLeast(c.LaunchPerMinute, 1) }},
	{name: "submit-per-minute", def: "20", usage: "answers per person per minute",
		read:  whole(func(c *Config) *int { return &c.SubmitPerMinute }),
		check: func(c Config) error { return atLeast(c.SubmitPerMinute, 1) }},
	{name: "partner-per-minute", def: "600", usage: "partner API calls per token per minute",
		read:  whole(func(c *Config) *int { return &c.PartnerPerMinute }),
		check: func(c Config) error { return atLeast(c.PartnerPerMinute, 1) }},
	{name: "recording-retention", def: "0s", usage: "how long terminal recordings are kept (e.g. 2160h for 90 days); 0s keeps them",
		read: span(func(c *Config) *time.Duration { return &c.RecordingRetention }),
		check: func(c Config) error {
			if c.RecordingRetention == 0 {
				return nil
			}
			return between(c.RecordingRetention, 24*time.Hour, 10*365*24*time.Hour)
		}},
	{name: "xapi-interval", def: "10s", usage: "how often statements waiting in the xAPI outbox are sent to organisations' LRSs",
		read:  span(func(c *Config) *time.Duration { return &c.XAPIInterval }),
		check: func(c Config) error { return between(c.XAPIInterval, time.Second, time.Hour) }},
	{name: "scoreboard-freeze", def: "", usage: "RFC 3339 time after which trainees see the scoreboard as it was then",
		read: reader{"time", func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return fmt.Errorf("%q: not an RFC 3339 time like 2026-12-01T18:00:00+09:00", v)
			}
			c.ScoreboardFreeze = t
			return nil
		}}},

	{name: "healthcheck-url", flag: "url", def: "http://127.0.0.1:8080/healthz", usage: "the /healthz address to ask",
		read: text(func(c *Config) *string { return &c.HealthcheckURL }),
		check: func(c Config) error {
			if u, err := url.Parse(c.HealthcheckURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("%q: must be an absolute http(s) URL", c.HealthcheckURL)
			}
			return nil
		}},
}

// The settings each command takes.
var (
	// ServerSettings are taken by serve, migrate and user create.
	ServerSettings = []string{
		"listen", "public-url", "data-dir", "database-url", "docker-host", "secrets-file", "registration",
		"trusted-proxies", "cors-origins", "body-limit", "framework-import-limit", "read-timeout", "write-timeout", "access-ttl", "refresh-ttl",
		"login-per-minute", "metrics-listen", "metrics-token", "log-format", "log-level", "terminal-grace", "lab-web-deadline",
		"lab-pool", "lab-subnet-bits", "lab-capacity", "lab-provision-timeout", "lab-extend-by",
		"lab-max-extensions", "authored-max-hosts", "authored-max-memory-mib", "authored-max-cpus", "launch-per-minute", "submit-per-minute", "scoreboard-freeze",
		"partner-per-minute", "recording-retention", "xapi-interval",
	}
	// RehearsalSettings are taken by scenario test, which runs labs of its own
	// beside any range on the same engine.
	RehearsalSettings = []string{"docker-host", "lab-pool", "lab-subnet-bits", "lab-provision-timeout"}
	// ImageSettings are taken by images build.
	ImageSettings = []string{"docker-host"}
	// HealthcheckSettings are taken by healthcheck.
	HealthcheckSettings = []string{"healthcheck-url"}
)

// derive fills the defaults that follow from other settings.
func derive(c *Config) {
	if c.PublicURL == "" {
		c.PublicURL, c.publicURLDerived = defaultPublicURL(c.Listen), true
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.SecretsFile == "" {
		c.SecretsFile = filepath.Join(c.DataDir, "secrets.json")
	}
}

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

func atLeast(n, least int) error {
	if n < least {
		return fmt.Errorf("%d: must be at least %d", n, least)
	}
	return nil
}

func between(d, least, most time.Duration) error {
	if d < least || d > most {
		return fmt.Errorf("%s: must be between %s and %s", d, least, most)
	}
	return nil
}

func wholeBetween(n, least, most int) error {
	if n < least || n > most {
		return fmt.Errorf("%d: must be between %d and %d", n, least, most)
	}
	return nil
}
