// Package labkit is what the lab side's one binary, sakimori-sim, is built
// from: a registry of modes (one per kind of lab host), of applications an
// emulated instance can serve, and of scripted users and intruders. Each
// emulator and each scenario registers its own pieces from an init
// function, and the binary's main only imports them, so a new scenario
// adds its folder and one import line and touches no other scenario.
//
// Names are global to the binary. A scenario's own pieces should carry
// its name or a prefix of it (heist-intruder, leak-ci) so that two
// scenarios never claim the same one; registering a name twice panics at
// start-up, where a test of the binary sees it.
package labkit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

// Mode is one thing a lab host runs: sakimori-sim NAME ARGS...
type Mode func(ctx context.Context, args []string) error

// App is an application an emulated instance serves on its port 80
// (sakimori-sim instance -app NAME). It reads its settings from the
// environment the scenario's manifest sets.
type App func() (http.Handler, error)

// Script is scripted traffic, a benign user or an intruder
// (sakimori-sim traffic NAME); it runs until ctx ends.
type Script func(ctx context.Context, env Env) error

// Env gives a script its settings.
type Env func(name string) string

type registry[T any] struct {
	mu    sync.Mutex
	kind  string
	items map[string]T
}

func (r *registry[T]) add(name string, item T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		panic("labkit: a " + r.kind + " needs a name")
	}
	if _, dup := r.items[name]; dup {
		panic(fmt.Sprintf("labkit: %s %q registered twice", r.kind, name))
	}
	r.items[name] = item
}

func (r *registry[T]) get(name string) (T, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	item, ok := r.items[name]
	if !ok {
		return item, fmt.Errorf("no %s %q (have %v)", r.kind, name, sortedNames(r.items))
	}
	return item, nil
}

func (r *registry[T]) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sortedNames(r.items)
}

func sortedNames[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

var (
	modes   = &registry[Mode]{kind: "mode", items: map[string]Mode{}}
	apps    = &registry[App]{kind: "app", items: map[string]App{}}
	scripts = &registry[Script]{kind: "traffic script", items: map[string]Script{}}
)

// Register adds a mode. It panics if the name is taken.
func Register(name string, m Mode) { modes.add(name, m) }

// RegisterApp adds an instance application. It panics if the name is taken.
func RegisterApp(name string, a App) { apps.add(name, a) }

// RegisterScript adds a traffic script. It panics if the name is taken.
func RegisterScript(name string, s Script) { scripts.add(name, s) }

// LookupMode, LookupApp and LookupScript find a registered piece, or say
// which ones there are.
func LookupMode(name string) (Mode, error)     { return modes.get(name) }
func LookupApp(name string) (App, error)       { return apps.get(name) }
func LookupScript(name string) (Script, error) { return scripts.get(name) }

// Modes, Apps and Scripts list what is registered, sorted.
func Modes() []string   { return modes.names() }
func Apps() []string    { return apps.names() }
func Scripts() []string { return scripts.names() }

// ExitCode ends the binary with a status of its own, with no message: a
// state check's 1 (not as expected) and 2 (could not ask) mean different
// things to the platform.
type ExitCode int

func (e ExitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Run runs the mode args[0] with the rest of args, and returns the
// process's exit status: 0, the mode's ExitCode, 1 for any other error
// (printed to stderr), 2 for a usage error.
func Run(ctx context.Context, program string, args []string) int {
	if len(args) < 1 {
		fmt.Fprintf(os.Stderr, "usage: %s MODE ARGS... (modes: %v)\n", program, Modes())
		return 2
	}
	m, err := LookupMode(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		return 2
	}
	err = m(ctx, args[1:])
	var code ExitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &code):
		return int(code)
	}
	fmt.Fprintf(os.Stderr, "%s %s: %v\n", program, args[0], err)
	return 1
}

// Logger is where lab-side pieces log; the lab's container log keeps it.
var Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))

// Setting reads a setting the piece cannot run without.
func Setting(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("%s is not set", name)
	}
	return v, nil
}

// Serve runs h on addr until ctx ends.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	return serve(ctx, addr, h, nil)
}

// ServeTLS runs h on addr over TLS with a certificate made at start-up
// for names. A lab's clients are told to skip verifying it (a lab has no
// CA of its own); TLS is there because some clients, kubectl among them,
// send no credentials over plain HTTP.
func ServeTLS(ctx context.Context, addr string, h http.Handler, names ...string) error {
	cert, err := selfSigned(names)
	if err != nil {
		return err
	}
	return serve(ctx, addr, h, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
}

func serve(ctx context.Context, addr string, h http.Handler, tc *tls.Config) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second, TLSConfig: tc}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	Logger.Info("listening", "addr", addr, "tls", tc != nil)
	var err error
	if tc != nil {
		err = srv.ListenAndServeTLS("", "")
	} else {
		err = srv.ListenAndServe()
	}
	if !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func selfSigned(names []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "lab"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// SimKeyHeader carries a lab's simulator key: the secret its emulators
// share with the platform's checks and with each other (an instance's
// metadata service asking the cloud for credentials), and which no
// trainee's host is given. A request that carries it is the platform's,
// so the emulators leave it out of the evidence they log.
const SimKeyHeader = "X-Sakimori-Sim-Key"

// PlatformGet reads url on an emulator's own channel with the lab's
// simulator key: the whole trail or audit log for grading, or the state
// a check compares. Anything but 200 is an error naming the status.
func PlatformGet(hc *http.Client, url, key string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(SimKeyHeader, key)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return resp, nil
}
