package gitrepo

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func text(s string) *string { return &s }

// The real git client clones the scripted history, and the removed
// secret is still in it.
func TestGitClonesAHistoryWithARemovedSecret(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git on this machine")
	}
	base := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	repo := Build([]Change{
		{Author: "Dev <dev@acme.test>", When: base, Message: "Initial commit", Files: map[string]*string{"README.md": text("# tools\n"), "bin/deploy.sh": text("#!/bin/sh\n")}},
		{Author: "Dev <dev@acme.test>", When: base.Add(time.Hour), Message: "Add CI config", Files: map[string]*string{"config/ci.env": text("AWS_ACCESS_KEY_ID=AKIATESTTESTTESTTEST\n")}},
		{Author: "Dev <dev@acme.test>", When: base.Add(2 * time.Hour), Message: "Remove CI credentials", Files: map[string]*string{"config/ci.env": nil, ".gitignore": text("config/*.env\n")}},
	})
	srv := httptest.NewServer(NewServer(map[string]*Repo{"/acme/tools.git": repo}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "tools")
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	git("clone", "-q", srv.URL+"/acme/tools.git", dir)
	if _, err := os.Stat(filepath.Join(dir, "config/ci.env")); !os.IsNotExist(err) {
		t.Fatal("the removed file is in the working tree")
	}
	if log := git("-C", dir, "log", "--oneline"); strings.Count(log, "\n") != 3 {
		t.Fatalf("history: %q", log)
	}
	if p := git("-C", dir, "log", "-p"); !strings.Contains(p, "AKIATESTTESTTESTTEST") {
		t.Fatal("the secret is not in the history")
	}
	if fsck := git("-C", dir, "fsck", "--strict"); strings.Contains(fsck, "error") {
		t.Fatalf("fsck: %s", fsck)
	}
}
