package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// option is one setting. read turns its text into a field of Config; check,
// if set, runs after every setting is read, so it may look at the others.
type option struct {
	name  string
	flag  string // the flag's name when it is not name
	def   string
	usage string
	read  reader
	check func(c Config) error
	// secret: -h never shows the value its variable holds.
	secret bool
}

// reader reads a setting's text into a Config; kind names what the text
// is, for -h.
type reader struct {
	kind string
	fn   func(c *Config, text string) error
}

// variable is the environment variable the option is read from.
func (o *option) variable() string {
	return "SAKIMORI_" + strings.ToUpper(strings.ReplaceAll(o.name, "-", "_"))
}

func (o *option) flagName() string {
	if o.flag != "" {
		return o.flag
	}
	return o.name
}

// fault names the setting, and where its value came from when that was not
// the command line, so the operator knows what to fix.
func (o *option) fault(source string, err error) error {
	if source == o.variable() {
		return fmt.Errorf("%s (%s): %w", o.name, source, err)
	}
	return fmt.Errorf("%s: %w", o.name, err)
}

func lookup(name string) *option {
	for i := range options {
		if options[i].name == name {
			return &options[i]
		}
	}
	return nil
}

func text(field func(*Config) *string) reader {
	return reader{"text", func(c *Config, v string) error {
		*field(c) = v
		return nil
	}}
}

func whole(field func(*Config) *int) reader {
	return reader{"number", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q: not a whole number", v)
		}
		*field(c) = n
		return nil
	}}
}

func span(field func(*Config) *time.Duration) reader {
	return reader{"duration", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q: not a duration like 15m", v)
		}
		*field(c) = d
		return nil
	}}
}

// list reads a comma-separated list, dropping empty items.
func list(field func(*Config) *[]string) reader {
	return reader{"list", func(c *Config, v string) error {
		var out []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		*field(c) = out
		return nil
	}}
}
