package docker

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/docker/labimages"
)

// TestWorkstationImage builds the Debian workstation (minutes, the first
// time on a machine; skipped when the engine has the same recipe) and
// checks a trainee has the real tools in a hardened lab host. CI sets
// SAKIMORI_TEST_WORKSTATION; elsewhere it runs only when asked.
func TestWorkstationImage(t *testing.T) {
	if os.Getenv("SAKIMORI_TEST_WORKSTATION") == "" {
		t.Skip("set SAKIMORI_TEST_WORKSTATION=1 to build and test the workstation image")
	}
	e := requireEngine(t)
	requireDebian(t, e, labimages.WorkstationImage(), labimages.Workstation)
	requireLabImages(t, e)

	lab := webLab(t, "x")
	lab.Hosts[1].Image = labimages.Workstation
	lab.Hosts[1].Tmpfs = map[string]int64{"/tmp": 16 << 20, "/home/trainee": 16 << 20}
	launched(t, e, lab)
	checks := map[string]string{
		"aws --version":            "aws-cli/",
		"kubectl version --client": "Client Version",
		"curl --version":           "curl ",
		"jq --version":             "jq-",
		"git --version":            "git version",
		"nc -h 2>&1 | head -1":     "OpenBSD netcat",
		"id -un":                   "trainee",
		"sqlite3 --version":        "3.",
		"psql --version":           "psql (PostgreSQL) 15",
	}
	for cmd, want := range checks {
		out, code := run(t, e, lab.ID, "workstation", "sh", "-c", cmd)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, %q (want %q)", cmd, code, out, want)
		}
	}
	// Unlike busybox, real curl resolves lab hosts by name.
	time.Sleep(300 * time.Millisecond)
	if out, code := run(t, e, lab.ID, "workstation", "curl", "-s", "--max-time", "5", "http://web:8080/"); code != 0 || !strings.Contains(out, "x") {
		t.Errorf("curl by name: %d %q", code, out)
	}
}

// testWriter discards debootstrap's chatter; its errors come back as err.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { return len(p), nil }
