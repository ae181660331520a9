// Package config reads Sakimori's settings from command-line flags and
// SAKIMORI_* environment variables (a flag wins over its variable, and both
// over the default), so the same binary runs unconfigured on a laptop and
// fully configured in a container.
//
// Every setting, its default and its check are declared once, in options.go.
// Each command takes the settings it needs from here; none reads a SAKIMORI_*
// variable of its own.
package config

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// Registration says who may create their own trainee account.
type Registration string

const (
	RegistrationOpen   Registration = "open"   // anyone with the URL
	RegistrationInvite Registration = "invite" // only holders of an invite code
)

// Config is every setting of every command.
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
	// FrameworkImportLimit bounds an imported competency catalogue: the
	// upload, and for a workbook what it may expand to twice over.
	FrameworkImportLimit int
	ReadTimeout          time.Duration // for a request's headers and body
	WriteTimeout         time.Duration // for a response; per write for an event stream
	AccessTTL            time.Duration
	RefreshTTL           time.Duration
	LoginPerMinute       int
	MetricsListen        string // empty: /metrics is served on Listen
	MetricsToken         string // empty: /metrics needs no token
	LogFormat            string // "text" or "json"
	LogLevel             string
	TerminalGrace        time.Duration // a dropped terminal waits this long for its page
	LabWebDeadline       time.Duration // one request through a lab web link, its answer included

	LabPool              string // the block lab subnets come from
	LabSubnetBits        int    // each lab network's prefix length
	LabCapacity          int    // labs running at once, range-wide
	LabProvisionTimeout  time.Duration
	LabExtendBy          time.Duration
	LabMaxExtensions     int
	AuthoredMaxHosts     int // what one authored scenario may ask of the engine
	AuthoredMaxMemoryMiB int
	AuthoredMaxCPUs      int
	LaunchPerMinute      int
	SubmitPerMinute      int
	ScoreboardFreeze     time.Time     // zero: never frozen
	PartnerPerMinute     int           // partner API calls per token per minute
	RecordingRetention   time.Duration // terminal recordings older than this are deleted; zero keeps them
	XAPIInterval         time.Duration // how often the xAPI outbox is passed over

	HealthcheckURL string // what `sakimori healthcheck` asks

	publicURLDerived bool // PublicURL was not given: it follows the listen address
}

// ListeningAt tells the configuration the address the server was given by
// the system. When the public URL was not set, it follows the listen
// address, and a listen port of 0 is only known once bound: without this
// the range would name itself at port 0, and the origin checks, which
// compare against the public URL, would refuse its own pages.
func (c *Config) ListeningAt(addr string) {
	if c.publicURLDerived {
		c.PublicURL = defaultPublicURL(addr)
	}
}

// SecureCookies says whether cookies must carry the Secure attribute.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// Defaults is the configuration of a command given no flags and no
// variables. Tests build their services from it rather than repeat numbers.
func Defaults() Config {
	c, err := fromText(func(*option) (string, string) { return "", "" })
	if err != nil {
		panic("config: a default does not pass its own check: " + err.Error())
	}
	return c
}

// Load reads the server's settings (serve, migrate and user create take
// them all): args are the flags, without the program and subcommand names,
// read on top of the environment given by getenv.
func Load(name string, args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	f := Register(fs, getenv, ServerSettings...)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return f.Config()
}

// Flags are settings registered on a command's own flag set, beside any
// flags that only that command has.
type Flags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	given  map[string]*string // by option name: the flag's text
}

// Register adds the named settings to fs. Each flag's default shown by -h is
// its variable's value if set, else the setting's default. A name that is
// not a setting is a programming error and panics.
func Register(fs *flag.FlagSet, getenv func(string) string, names ...string) *Flags {
	f := &Flags{fs: fs, getenv: getenv, given: map[string]*string{}}
	for _, name := range names {
		o := lookup(name)
		if o == nil {
			panic("config: no setting named " + name)
		}
		def := o.def
		if v := getenv(o.variable()); v != "" && !o.secret {
			def = v
		}
		// The back-quoted kind is what -h shows after the flag's name.
		f.given[o.name] = fs.String(o.flagName(), def, o.usage+" (`"+o.read.kind+"`, $"+o.variable()+")")
	}
	return f
}

// Config reads the registered settings (after fs.Parse) and leaves every
// other setting at its default. Every malformed or invalid setting is
// reported, each by name, in one error.
func (f *Flags) Config() (Config, error) {
	set := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	return fromText(func(o *option) (string, string) {
		text, ok := f.given[o.name]
		switch {
		case !ok:
			return "", ""
		case set[o.flagName()]:
			return *text, "-" + o.flagName()
		case f.getenv(o.variable()) != "":
			return f.getenv(o.variable()), o.variable()
		}
		return "", ""
	})
}

// fromText builds a Config: each option's text comes from given (empty
// source: its default) and is read; once every option is read and the
// derived defaults are filled in, each is checked. source names where a
// given text came from, so an error can say which setting to fix.
func fromText(given func(*option) (text, source string)) (Config, error) {
	var c Config
	var errs []error
	sources := map[string]string{}
	unread := map[string]bool{}
	for i := range options {
		o := &options[i]
		text, source := given(o)
		if source == "" {
			text = o.def
		}
		sources[o.name] = source
		if err := o.read.fn(&c, text); err != nil {
			errs = append(errs, o.fault(source, err))
			unread[o.name] = true
		}
	}
	derive(&c)
	for i := range options {
		o := &options[i]
		if o.check == nil || unread[o.name] {
			continue
		}
		if err := o.check(c); err != nil {
			errs = append(errs, o.fault(sources[o.name], err))
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}
