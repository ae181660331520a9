package modes

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/sim/browserdata"
	"github.com/sakimori/sakimori/sim/idp"
)

// The implant answers its key with a shell, and anyone else with
// silence; what follows the key in the same packet reaches the shell.
func TestImplantGivesAShellOnlyForItsKey(t *testing.T) {
	if _, err := os.Stat("/bin/bash"); err != nil {
		t.Skip("no bash")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = serveImplant(ctx, ln, "implant-key-1") }()
	talk := func(send string) string {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
		_, _ = io.WriteString(conn, send)
		out, _ := io.ReadAll(conn)
		return string(out)
	}
	if out := talk("wrong-key\necho pwned\nexit\n"); out != "" {
		t.Errorf("a wrong key got %q", out)
	}
	if out := talk("implant-key-1\necho \"in $HOME as $(id -u)\"; exit\n"); !strings.HasPrefix(out, "in ") {
		t.Errorf("the key got %q", out)
	}
}

// The laptop's person browses with the session their browser's database
// holds, read and decrypted as the browser does; when the identity
// provider ends it, they are asked to sign in and stop.
func TestLaptopBrowsesWithItsOwnCookies(t *testing.T) {
	s, hs := idpServer(t, `
users: [{login: ken@acme.example, password: pw-ken-1234, admin: true}]
api_tokens: [{name: ops, token: `+probeAdmin+`, user: ken@acme.example}]
sessions: [{id: `+laptopSession+`, user: ken@acme.example, ip: 10.20.4.31, mfa: true}]
`)
	home := t.TempDir()
	t.Setenv("HOME", home)
	const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	settings := filepath.Join(t.TempDir(), "laptop-profile.yaml")
	if err := os.WriteFile(settings, []byte(`
dir: .config/google-chrome/Default
cookies:
  - {host: 127.0.0.1, name: sid, value: `+laptopSession+`, httponly: true, ago: 3h}
  - {host: .news.example, name: prefs, value: dark, ago: 40d, expires: 365d}
bookmarks: [{name: Acme CI, url: "http://ci/"}]
browse: {dashboard: "`+hs.URL+`/app/UserHome", every: 1m, user_agent: "`+ua+`"}
`), 0o400); err != nil {
		t.Fatal(err)
	}
	b, err := readProfile(settings)
	if err != nil {
		t.Fatal(err)
	}
	// The settings, with the session in the clear, are gone once read; a
	// restarted host finds how to browse without them.
	if _, err := os.Stat(settings); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the profile's settings are still there: %v", err)
	}
	if again, err := readProfile(settings); err != nil || again != b {
		t.Errorf("after a restart: %+v, %v", again, err)
	}
	if _, err := readProfile(filepath.Join(t.TempDir(), "none.yaml")); err != nil {
		t.Errorf("a restart reads what was written: %v", err)
	}
	t.Setenv("HOME", t.TempDir())
	if _, err := readProfile(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Error("a laptop with no profile at all started")
	}
	t.Setenv("HOME", home)
	dir := filepath.Join(home, ".config/google-chrome/Default")
	if b.Profile != dir {
		t.Errorf("profile at %s", b.Profile)
	}
	if cookies, err := browserdata.ReadCookies(filepath.Join(dir, "Cookies")); err != nil || len(cookies) != 2 {
		t.Fatalf("cookies %v %v", cookies, err)
	}
	var marks map[string]any
	if data, err := os.ReadFile(filepath.Join(dir, "Bookmarks")); err != nil || json.Unmarshal(data, &marks) != nil || !strings.Contains(string(data), `"url": "http://ci/"`) {
		t.Errorf("bookmarks: %s %v", data, err)
	}
	if in, err := browseOnce(b); !in || err != nil {
		t.Fatalf("with its session: %t %v", in, err)
	}
	seen := false
	for _, e := range s.Events() {
		if e.EventType == "user.session.access" && e.Client.UserAgent.RawUserAgent == ua && e.AuthenticationContext.ExternalSessionID == idp.ExternalID(laptopSession) {
			seen = true
		}
	}
	if !seen {
		t.Error("the IdP did not log the laptop's visit")
	}
	_, admin := probeIdPLabAt(t, hs.URL)
	if code := admin("DELETE", "/api/v1/users/ken@acme.example/sessions", ""); code != 204 {
		t.Fatalf("clear: %d", code)
	}
	if in, err := browseOnce(b); in || err != nil {
		t.Errorf("after its sessions ended: %t %v", in, err)
	}
	if _, err := writeProfile("dir: ../outside\n", home, time.Now()); err == nil {
		t.Error("a profile outside HOME")
	}
}
