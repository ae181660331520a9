package stealerlogs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var ago = func(s string) (time.Duration, error) { return time.ParseDuration(s) }

var dump = Dump{
	Seed: "acme-2024-05", Noise: 40, Taken: time.Date(2024, 5, 14, 3, 12, 44, 0, time.UTC),
	Planted: []Machine{{
		Country: "JP", User: "Kenji", Computer: "DESKTOP-KENJI01", IP: "203.0.113.77", Ago: "36h",
		Accounts: []Credential{
			{URL: "https://acme.warehouse.example/console/login", Username: "svc_reporting", Password: "Summer2023!"},
			{URL: "https://www.amazon.co.jp/ap/signin", Username: "kenji@example.jp", Password: "kenji1984"},
		},
	}},
}

// The pack unpacks with the real tar into one folder per machine, the
// planted one among the made-up ones, and grep finds its password once;
// the same seed gives the same pack, another seed another.
func TestThePackIsAHaystackWithTheNeedle(t *testing.T) {
	var one, again, other bytes.Buffer
	for _, c := range []struct {
		d   Dump
		out *bytes.Buffer
	}{{dump, &one}, {dump, &again}, {func() Dump { d := dump; d.Seed = "other"; return d }(), &other}} {
		if err := c.d.WriteTarGz(c.out, ago); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(one.Bytes(), again.Bytes()) || bytes.Equal(one.Bytes(), other.Bytes()) {
		t.Error("a pack is not made by its seed alone")
	}
	dir := t.TempDir()
	pack := filepath.Join(dir, "pack.tar.gz")
	if err := os.WriteFile(pack, one.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("tar", "xzf", pack, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	folders, _ := filepath.Glob(filepath.Join(dir, "*]*"))
	if len(folders) != 41 {
		t.Fatalf("%d machines unpacked, want 41", len(folders))
	}
	out, err := exec.Command("grep", "-rl", "--include=Passwords.txt", "acme.warehouse.example", dir).Output()
	if err != nil || strings.Count(string(out), "\n") != 1 || !strings.Contains(string(out), "JP[") || !strings.Contains(string(out), "2024-05-12T15_12_44") {
		t.Fatalf("grep found %q, %v", out, err)
	}
	found, _ := os.ReadFile(strings.TrimSpace(string(out)))
	if !strings.Contains(string(found), "URL: https://acme.warehouse.example/console/login\r\nUsername: svc_reporting\r\nPassword: Summer2023!\r\nApplication: Google_[Chrome]_Default\r\n===============") {
		t.Errorf("the planted entry reads:\n%s", found)
	}
	info, _ := os.ReadFile(filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "UserInformation.txt"))
	if !strings.Contains(string(info), "IP: 203.0.113.77\r\n") || !strings.Contains(string(info), "MachineName: DESKTOP-KENJI01") {
		t.Errorf("its user information:\n%s", info)
	}
	if err := (Dump{Planted: []Machine{{Country: "JP", Computer: "PC-1", Ago: "soon"}}}).WriteTarGz(&bytes.Buffer{}, ago); err == nil {
		t.Error("a machine taken at no time")
	}
	if err := (Dump{Planted: []Machine{{Country: "JP", Computer: "../../etc"}}}).WriteTarGz(&bytes.Buffer{}, ago); err == nil {
		t.Error("a machine named as a path")
	}
}
