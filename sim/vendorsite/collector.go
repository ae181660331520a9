package vendorsite

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Catch is one thing a poisoned uploader sent the intruder's collector.
type Catch struct {
	Time   time.Time
	Remote string
	Path   string // with its query
	Body   []byte // its first 64 KiB
	Size   int64  // of the whole body
}

// maxCatch is how much of each body the collector keeps.
const maxCatch = 64 << 10

// Collector is the intruder's look-alike host: it keeps whatever is
// posted to it and lists it all to its owner, which is how the intruder
// harvests a victim CI's secrets. Only the owner reads it, so a trainee
// attacking must poison the uploader to a listener of their own rather
// than read the intruder's harvest.
type Collector struct {
	now   func() time.Time
	delay time.Duration // before answering a post
	owner string        // the bearer token the listing needs; empty: anyone

	mu      sync.Mutex
	catches []Catch
}

// NewCollector returns an empty collector whose listing needs the
// bearer token owner (none when empty).
func NewCollector(owner string) *Collector {
	// The answer waits a little, as a far-away host's would, so the CI
	// runner's process telemetry, which polls, sees the connection.
	return &Collector{now: time.Now, delay: 300 * time.Millisecond, owner: owner}
}

func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost:
		c.take(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/":
		if c.owner != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+c.owner)) != 1 {
			http.NotFound(w, r) // an attacker's box does not say what it is
			return
		}
		c.dump(w)
	case r.Method == http.MethodGet:
		http.NotFound(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (c *Collector) take(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxCatch))
	rest, _ := io.Copy(io.Discard, io.LimitReader(r.Body, maxReport))
	catch := Catch{Time: c.now().UTC(), Remote: remoteHost(r), Path: r.URL.RequestURI(), Body: body, Size: int64(len(body)) + rest}
	c.mu.Lock()
	c.catches = append(c.catches, catch)
	if len(c.catches) > keep {
		c.catches = append([]Catch(nil), c.catches[len(c.catches)-keep:]...)
	}
	c.mu.Unlock()
	labkit.Logger.Info("caught", "remote", catch.Remote, "path", catch.Path, "bytes", len(body))
	if !labkit.Sleep(r.Context(), c.delay) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok")
}

// dump lists every catch, oldest first, each under a line saying when,
// from where and to which path it came.
func (c *Collector) dump(w http.ResponseWriter) {
	c.mu.Lock()
	catches := append([]Catch(nil), c.catches...)
	c.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, k := range catches {
		note := ""
		if k.Size > int64(len(k.Body)) {
			note = fmt.Sprintf(", first %d kept", len(k.Body))
		}
		fmt.Fprintf(w, "=== %s %s POST %s (%d bytes%s) ===\n", k.Time.Format(time.RFC3339), k.Remote, k.Path, k.Size, note)
		_, _ = w.Write(k.Body)
		if len(k.Body) > 0 && k.Body[len(k.Body)-1] != '\n' {
			_, _ = io.WriteString(w, "\n")
		}
	}
}
