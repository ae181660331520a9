package labkit

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// What scripted traffic is made of: benign users doing their everyday work
// and intruders re-enacting an incident, so that a defender's logs hold
// both, from different addresses, at realistic times. Scripts read their
// targets from the environment.

// BrowserUA is the user agent of scripted people browsing.
const BrowserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

// Sleep waits d, with some jitter so traffic does not tick like a clock;
// false when ctx ended.
func Sleep(ctx context.Context, d time.Duration) bool {
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// Duration reads a setting like "45s", or def.
func Duration(env Env, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(name)); err == nil {
		return d
	}
	return def
}

// Get fetches u as the user agent ua and returns at most 1 MiB of its body.
func Get(hc *http.Client, u, ua string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", ua)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b), err
}

// Intrude plays an intruder: run after delay, again every few seconds
// until it first succeeds (the lab's other hosts may still be starting,
// and the story has the intruder act before the trainee does), then
// again every `every` until ctx ends. After a few minutes without success
// (a trainee already closed the hole) it keeps to `every` as well.
func Intrude(ctx context.Context, delay, every time.Duration, run func() error) {
	if !Sleep(ctx, delay) {
		return
	}
	wait, began := retryEvery, time.Now()
	for {
		if err := run(); err != nil {
			Logger.Info("intruder: run ended early", "err", err)
		} else {
			wait = every
		}
		if time.Since(began) > 3*time.Minute {
			wait = every
		}
		if !Sleep(ctx, wait) {
			return
		}
	}
}

// retryEvery is how soon an intruder tries again before its first success.
var retryEvery = 3 * time.Second
