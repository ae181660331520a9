package k8s

import (
	"context"
	"crypto/subtle"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/telemetry"
)

func init() {
	labkit.Register("k8s", runAPIServer)
	labkit.Register("k8s-audit", func(_ context.Context, args []string) error { return readAudit(args) })
}

// World is the cluster a lab starts with: objects as an administrator
// created them, and the logs of the pods that already ran.
type World struct {
	Objects []map[string]any  `yaml:"objects"`
	Logs    map[string]string `yaml:"logs"` // "namespace/pod" -> log text
}

// ParseWorld reads KUBESIM_WORLD.
func ParseWorld(text string) (World, error) {
	var w World
	if err := yaml.Unmarshal([]byte(text), &w); err != nil {
		return w, fmt.Errorf("k8s: world: %w", err)
	}
	return w, nil
}

// Load seeds the server with the world.
func (s *Server) Load(w World) error {
	for _, obj := range w.Objects {
		if err := s.Seed(obj); err != nil {
			return err
		}
	}
	for key, text := range w.Logs {
		ns, pod, ok := cut(key)
		if !ok {
			return fmt.Errorf("k8s: world: log key %q is not namespace/pod", key)
		}
		s.SetLog(ns, pod, text)
	}
	return nil
}

func cut(key string) (string, string, bool) {
	for i := range key {
		if key[i] == '/' {
			return key[:i], key[i+1:], i > 0 && i < len(key)-1
		}
	}
	return "", "", false
}

const simKeyHeader = "X-Sakimori-Sim-Key"

// runAPIServer serves the cluster of KUBESIM_WORLD.
func runAPIServer(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("k8s", flag.ContinueOnError)
	listen := fs.String("listen", ":6443", "address to serve the API on")
	authConfig := fs.String("authentication-config", "", "an AuthenticationConfiguration file, re-read when it changes, as kube-apiserver does")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, err := labkit.Setting("KUBESIM_WORLD")
	if err != nil {
		return err
	}
	world, err := ParseWorld(text)
	if err != nil {
		return err
	}
	srv := New(os.Getenv("KUBESIM_ADMIN_TOKEN"))
	if err := srv.Load(world); err != nil {
		return err
	}
	watch := &authWatch{path: *authConfig, srv: srv}
	watch.refresh()
	key := os.Getenv("KUBESIM_KEY")
	return labkit.Serve(ctx, *listen, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_sim/audit" {
			// The platform's channel to the audit log, for detection
			// grading; it takes the lab's simulator key and is itself not
			// audited, so the platform stays out of the evidence.
			if key == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(simKeyHeader)), []byte(key)) != 1 {
				writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", nil)
				return
			}
			w.Header().Set("Content-Type", telemetry.ContentType)
			_ = srv.WriteAudit(w)
			return
		}
		watch.refresh()
		srv.ServeHTTP(w, r)
	}))
}

// authWatch applies the anonymous setting of an AuthenticationConfiguration
// file whenever the file changes, as kube-apiserver 1.32 reloads it.
type authWatch struct {
	path string
	srv  *Server

	mu   sync.Mutex
	seen time.Time
}

// AuthenticationConfiguration is the part of apiserver.config.k8s.io's
// file the emulator reads.
type AuthenticationConfiguration struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Anonymous  *struct {
		Enabled bool `yaml:"enabled"`
	} `yaml:"anonymous"`
}

func (a *authWatch) refresh() {
	if a.path == "" {
		return
	}
	info, err := os.Stat(a.path)
	if err != nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if info.ModTime().Equal(a.seen) {
		return
	}
	a.seen = info.ModTime()
	on, err := AnonymousEnabled(a.path)
	if err != nil {
		// kube-apiserver keeps the last good configuration on a bad reload.
		fmt.Fprintln(os.Stderr, "k8s:", err)
		return
	}
	a.srv.SetAnonymous(on)
}

// AnonymousEnabled reads the file; with no anonymous section anonymous
// access stays on, kube-apiserver's default.
func AnonymousEnabled(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	var c AuthenticationConfiguration
	if err := yaml.Unmarshal(b, &c); err != nil {
		return false, fmt.Errorf("authentication config: %w", err)
	}
	if c.Kind != "AuthenticationConfiguration" {
		return false, fmt.Errorf("authentication config: kind is %q, not AuthenticationConfiguration", c.Kind)
	}
	if c.Anonymous == nil {
		return true, nil
	}
	return c.Anonymous.Enabled, nil
}

// readAudit prints the API server's audit log for detection grading.
func readAudit(args []string) error {
	fs := flag.NewFlagSet("k8s-audit", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1:6443", "the API server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	req, _ := http.NewRequest(http.MethodGet, *endpoint+"/_sim/audit", nil)
	req.Header.Set(simKeyHeader, os.Getenv("KUBESIM_KEY"))
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("k8s-audit: %s", resp.Status)
	}
	_, err = io.Copy(os.Stdout, resp.Body)
	return err
}
