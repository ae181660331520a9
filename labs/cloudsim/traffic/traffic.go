// Package traffic is the scripted activity of the labs: benign users
// doing their everyday work and the attacker re-enacting the incident, so
// that a defender's logs hold both, from different addresses, at
// realistic times. Scripts read their targets from the environment.
package traffic

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"sort"
	"time"
)

// Script is one kind of traffic; it runs until ctx ends.
type Script func(ctx context.Context, env Env) error

// Env gives a script its settings.
type Env func(name string) string

var scripts = map[string]Script{}

func register(name string, s Script) { scripts[name] = s }

// Run runs the named script.
func Run(ctx context.Context, name string) error {
	s, ok := scripts[name]
	if !ok {
		names := make([]string, 0, len(scripts))
		for n := range scripts {
			names = append(names, n)
		}
		sort.Strings(names)
		return fmt.Errorf("no traffic script %q (have %v)", name, names)
	}
	return s(ctx, os.Getenv)
}

var logger = slog.New(slog.NewTextHandler(os.Stderr, nil))

// sleep waits d, with some jitter so traffic does not tick like a clock;
// false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// duration reads a setting like "45s", or def.
func duration(env Env, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(name)); err == nil {
		return d
	}
	return def
}

func q(s string) string { return url.QueryEscape(s) }
