package browserdata

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEncryptRoundTripsAndBindsTheDomain(t *testing.T) {
	enc := Encrypt("idp.acme.example", "session-value-123")
	if !strings.HasPrefix(string(enc), "v10") || (len(enc)-3)%16 != 0 {
		t.Fatalf("encrypted %x", enc)
	}
	if got, err := Decrypt("idp.acme.example", enc); err != nil || got != "session-value-123" {
		t.Fatalf("decrypted %q, %v", got, err)
	}
	if _, err := Decrypt("ci.acme.example", enc); err == nil {
		t.Error("a value moved to another domain decrypted")
	}
	for _, bad := range [][]byte{nil, []byte("v11abc"), []byte("v10short")} {
		if _, err := Decrypt("idp.acme.example", bad); err == nil {
			t.Errorf("%q decrypted", bad)
		}
	}
}

func TestChromeTimeCountsFrom1601(t *testing.T) {
	if got := chromeTime(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)); got != 11644473600*1_000_000 {
		t.Fatalf("the Unix epoch is %d", got)
	}
	if chromeTime(time.Time{}) != 0 {
		t.Error("no time is not 0")
	}
}

// The database opens with the sqlite3 tool and decrypts with Python's
// cryptography package, code that is not ours, as a stealer's script or
// a trainee's would.
func TestCookieDatabaseReadsWithOtherTools(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	if exec.Command(py, "-c", "import cryptography").Run() != nil {
		t.Skip("no python3 cryptography")
	}
	path := filepath.Join(t.TempDir(), "Cookies")
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err = WriteCookies(path, []Cookie{
		{Host: "idp.acme.example", Name: "sid", Value: "102eXUkc8BnQ6L1Zs9wRR4mWJ3gv", HTTPOnly: true, SameSite: 1, Created: now, Accessed: now},
		{Host: ".news.example", Name: "prefs", Value: "dark", Created: now, Expires: now.Add(365 * 24 * time.Hour), Accessed: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteCookies(path, nil); err == nil {
		t.Error("an existing database was replaced")
	}
	back, err := ReadCookies(path)
	if err != nil || len(back) != 2 || back[0].Name != "sid" || back[0].Value != "102eXUkc8BnQ6L1Zs9wRR4mWJ3gv" || !back[0].HTTPOnly || back[1].Value != "dark" {
		t.Errorf("read back %+v, %v", back, err)
	}
	if _, err := ReadCookies(path + "-missing"); err == nil {
		t.Error("a missing database read")
	}
	if sq, err := exec.LookPath("sqlite3"); err == nil {
		out, err := exec.Command(sq, path, "SELECT value FROM meta WHERE key = 'version'; SELECT host_key || '|' || name || '|' || is_httponly || '|' || has_expires FROM cookies ORDER BY name;").CombinedOutput()
		if err != nil || string(out) != "24\nidp.acme.example|sid|1|0\n.news.example|prefs|0|1\n" && string(out) != "24\n.news.example|prefs|0|1\nidp.acme.example|sid|1|0\n" {
			t.Fatalf("sqlite3: %q %v", out, err)
		}
	}
	script := `
import hashlib, sqlite3, sys
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
key = hashlib.pbkdf2_hmac("sha1", b"peanuts", b"saltysalt", 1, 16)
db = sqlite3.connect(sys.argv[1])
for host, name, enc in db.execute("SELECT host_key, name, encrypted_value FROM cookies ORDER BY name"):
    assert enc[:3] == b"v10"
    d = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).decryptor()
    plain = d.update(enc[3:]) + d.finalize()
    plain = plain[:-plain[-1]]
    assert plain[:32] == hashlib.sha256(host.encode()).digest()
    print(name, plain[32:].decode())
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil || string(out) != "prefs dark\nsid 102eXUkc8BnQ6L1Zs9wRR4mWJ3gv\n" {
		t.Fatalf("python: %s %v", out, err)
	}
}
