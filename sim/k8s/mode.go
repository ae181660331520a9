package k8s

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
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
// created them (an object's `ago` says how long before the lab's start),
// the logs of its pods, the tokens its users and services hold, and the
// addresses its audit log shows for the lab's hosts, so the evidence names
// the story's machines rather than the lab's own network. An address may
// be a pod's, "pod:NAMESPACE/NAME" (a pod, or a deployment's first pod):
// a lab host that plays a client running in the cluster (a dashboard)
// then shows as that pod, at the address `kubectl get pods -o wide` gives
// it.
type World struct {
	Objects   []map[string]any  `yaml:"objects"`
	Logs      map[string]string `yaml:"logs"` // "namespace/pod", or "namespace/deployment" for its pods
	Tokens    []Token           `yaml:"tokens"`
	Addresses map[string]string `yaml:"addresses"`
	// Kubelets names the lab hosts that play pods: "namespace/pod", or
	// "namespace/deployment" for its pods, to the URL of the host's
	// kubelet (sakimori-sim kubelet), where kubectl exec then runs.
	Kubelets map[string]string `yaml:"kubelets"`
}

// Token is a bearer token and who it authenticates as. A service
// account's token used by a pod (Pod, "NAMESPACE/NAME" as in Addresses)
// shows in the audit log from that pod's address, whichever lab host
// sends it.
type Token struct {
	Token  string   `yaml:"token"`
	User   string   `yaml:"user"`
	Groups []string `yaml:"groups"`
	Pod    string   `yaml:"pod"`
}

// ParseWorld reads KUBESIM_WORLD.
func ParseWorld(text string) (World, error) {
	var w World
	if err := yaml.Unmarshal([]byte(text), &w); err != nil {
		return w, fmt.Errorf("k8s: world: %w", err)
	}
	for from, to := range w.Addresses {
		if _, err := netip.ParseAddr(from); err != nil {
			return w, fmt.Errorf("k8s: world: addresses: %q is not an address", from)
		}
		if ref, ok := strings.CutPrefix(to, "pod:"); ok {
			if _, _, ok := cut(ref); !ok {
				return w, fmt.Errorf("k8s: world: addresses: %q is not pod:NAMESPACE/NAME", to)
			}
		} else if _, err := netip.ParseAddr(to); err != nil {
			return w, fmt.Errorf("k8s: world: addresses: %q is not an address", to)
		}
	}
	for i, t := range w.Tokens {
		if t.Token == "" || t.User == "" {
			return w, fmt.Errorf("k8s: world: tokens[%d] needs a token and a user", i)
		}
		if _, _, ok := cut(t.Pod); t.Pod != "" && !ok {
			return w, fmt.Errorf("k8s: world: tokens[%d]: pod %q is not NAMESPACE/NAME", i, t.Pod)
		}
	}
	for key, u := range w.Kubelets {
		if _, _, ok := cut(key); !ok {
			return w, fmt.Errorf("k8s: world: kubelets: %q is not namespace/pod", key)
		}
		if p, err := url.Parse(u); err != nil || p.Scheme != "http" || p.Host == "" {
			return w, fmt.Errorf("k8s: world: kubelets: %q is not an http:// URL", u)
		}
	}
	return w, nil
}

// Load seeds the server with the world.
func (s *Server) Load(w World) error {
	s.mu.Lock()
	for from, to := range w.Addresses {
		s.addresses[from] = to
	}
	for _, t := range w.Tokens {
		s.tokens[t.Token] = user{Username: t.User, Groups: append(append([]string(nil), t.Groups...), "system:authenticated"), pod: t.Pod}
	}
	for key, u := range w.Kubelets {
		s.kubelets[key], _ = url.Parse(u) // ParseWorld checked it
	}
	s.mu.Unlock()
	for _, obj := range w.Objects {
		if ago, ok := obj["ago"]; ok {
			d, err := labkit.Ago(fmt.Sprint(ago))
			if err != nil {
				return fmt.Errorf("k8s: world: %w", err)
			}
			delete(obj, "ago")
			meta, _ := obj["metadata"].(map[string]any)
			if meta == nil {
				meta = map[string]any{}
				obj["metadata"] = meta
			}
			meta["creationTimestamp"] = s.now().Add(-d).UTC().Format(time.RFC3339)
		}
		if err := s.Seed(obj); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.backdate()
	s.allNamespaceDefaults()
	s.mu.Unlock()
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

// runAPIServer serves the cluster of KUBESIM_WORLD.
func runAPIServer(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("k8s", flag.ContinueOnError)
	listen := fs.String("listen", ":8080", "address to serve the API on over plain HTTP, where kubectl sends no credentials")
	listenTLS := fs.String("listen-tls", ":6443", "address to serve the API on over TLS, where kubectl sends tokens; empty for none")
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
	h := labHandler(srv, os.Getenv("KUBESIM_KEY"), watch.refresh)
	// The same API on both: kubectl sends no token over plain HTTP and, with
	// no credentials over TLS, asks for a user name, so the open door and
	// the admin's door are one server on two ports.
	errs := make(chan error, 2)
	go func() { errs <- labkit.Serve(ctx, *listen, h) }()
	if *listenTLS != "" {
		go func() {
			errs <- labkit.ServeTLS(ctx, *listenTLS, h, "kubernetes", "kubernetes.default", "localhost", "127.0.0.1")
		}()
	}
	return <-errs
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
	endpoint := fs.String("endpoint", "http://127.0.0.1:8080", "the API server")
	if err := fs.Parse(args); err != nil {
		return err
	}
	resp, err := labkit.PlatformGet(labClient(), *endpoint+"/_sim/audit", os.Getenv("KUBESIM_KEY"))
	if err != nil {
		return fmt.Errorf("k8s-audit: %w", err)
	}
	defer resp.Body.Close()
	_, err = io.Copy(os.Stdout, resp.Body)
	return err
}

// labClient speaks to the lab's API server, whose certificate is made at
// its start and so cannot be verified.
func labClient() *http.Client {
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the lab's own server, on the lab's network
	}}
}

// labHandler is the API server as a lab serves it: the audit log for
// grading and unaudited requests for state checks, both behind the lab's
// simulator key, beside the API itself. refresh runs before each request.
func labHandler(srv *Server, key string, refresh func()) http.Handler {
	platform := func(r *http.Request) bool {
		return key != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(labkit.SimKeyHeader)), []byte(key)) == 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_sim/audit" {
			// The platform's channel to the audit log, for detection
			// grading; it takes the lab's simulator key and is itself not
			// audited, so the platform stays out of the evidence.
			if !platform(r) {
				writeStatus(w, http.StatusNotFound, "NotFound", "the server could not find the requested resource", nil)
				return
			}
			w.Header().Set("Content-Type", telemetry.ContentType)
			_ = srv.WriteAudit(w)
			return
		}
		refresh()
		if platform(r) {
			// A state check repeating the attack: answered as anyone
			// else is, and kept out of the audit log.
			r.Header.Del(labkit.SimKeyHeader)
			srv.ServeUnaudited(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	})
}
