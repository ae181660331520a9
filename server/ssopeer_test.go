package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The peers are programs of their own under test/, each with its npm
// dependencies; the Go tests install them (npm ci) on first use.
var peerDeps sync.Map // dir → error of its npm ci

// nodePeer starts `node <script>` in test/<dir> with env and returns the
// word after "listening" on its first line of output. Without node the
// test is skipped (CI has node, and sets CI so a failed install fails).
func nodePeer(t *testing.T, dir, script string, env ...string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the peer identity provider in test/" + dir + " cannot run")
	}
	abs, err := filepath.Abs(filepath.Join("..", "test", dir))
	if err != nil {
		t.Fatal(err)
	}
	if err := installPeer(abs); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("npm ci in test/%s: %v", dir, err)
		}
		t.Skipf("npm ci in test/%s failed (no npm registry?): %v", dir, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "listening ") {
				first <- strings.TrimPrefix(line, "listening ")
			}
		}
	}()
	select {
	case addr := <-first:
		return addr
	case <-time.After(time.Minute):
		t.Fatalf("the peer in test/%s did not start within a minute", dir)
	}
	return ""
}

func installPeer(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil {
		return nil
	}
	v, _ := peerDeps.LoadOrStore(dir, sync.OnceValue(func() error {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return &exec.ExitError{Stderr: out}
		}
		return nil
	}))
	return v.(func() error)()
}

// liveRange is a range served on a loopback port, so browsers (or a Go
// client with a cookie jar) can follow redirects through it and a peer.
func liveRange(t *testing.T, opts ...option) (*range_, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	rg := newRange(t, append(opts, withPublicURL(base))...)
	go func() { _ = rg.app.Listener(ln) }()
	t.Cleanup(func() { _ = rg.app.ShutdownWithTimeout(5 * time.Second) })
	return rg, base
}

// browser is a cookie-keeping client that follows redirects, as a
// person's browser does, and can stop at the range's SSO callback.
type browser struct {
	t       *testing.T
	client  *http.Client
	holdAt  string // a path: the redirect to it is not followed
	held    *url.URL
	rangeAt string
}

func newBrowser(t *testing.T, rangeURL string) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, rangeAt: rangeURL}
	b.client = &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if b.holdAt != "" && req.URL.Path == b.holdAt {
			b.held = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

func (b *browser) get(u string) *http.Response {
	b.t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// signInAt starts a sign-in at the range, fills the peer's form as login,
// and returns the last response (the page landed on).
func (b *browser) signInAt(providerID, login string) *http.Response {
	b.t.Helper()
	form := b.get(b.rangeAt + "/api/v1/auth/sso/" + providerID + "/start")
	if form.StatusCode != 200 || !strings.Contains(form.Request.URL.Path, "/interaction/") {
		b.t.Fatalf("start: %d at %s", form.StatusCode, form.Request.URL)
	}
	return b.submit(form.Request.URL.String(), login)
}

func (b *browser) submit(formURL, login string) *http.Response {
	b.t.Helper()
	resp, err := b.client.PostForm(formURL, url.Values{"login": {login}})
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// session exchanges the browser's refresh cookie for a session, as the
// app does when it loads.
func (b *browser) session() reply {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.rangeAt+"/api/v1/auth/refresh", nil)
	req.Header.Set("Origin", b.rangeAt)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return decode(resp)
}

func decode(resp *http.Response) reply {
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}
