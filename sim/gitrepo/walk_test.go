package gitrepo

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Find reaches a file version that a later commit removed, as a scraper
// of a public repository's history does, and says so when nothing matches.
func TestFindWalksTheWholeHistory(t *testing.T) {
	base := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	repo := Build([]Change{
		{Author: "Dev <dev@acme.test>", When: base, Message: "Initial commit", Files: map[string]*string{"README.md": text("# tools\n")}},
		{Author: "Dev <dev@acme.test>", When: base.Add(time.Hour), Message: "Add CI config", Files: map[string]*string{"config/ci.env": text("TOKEN=secret-123\n")}},
		{Author: "Dev <dev@acme.test>", When: base.Add(2 * time.Hour), Message: "Remove it", Files: map[string]*string{"config/ci.env": nil}},
	})
	files := repo.Files()
	fetch := func(path string) ([]byte, error) {
		if b, ok := files[path]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("%s: 404", path)
	}
	blob, err := Find(repo.Head(), fetch, func(b []byte) bool { return strings.Contains(string(b), "TOKEN=") })
	if err != nil || string(blob) != "TOKEN=secret-123\n" {
		t.Fatalf("found %q, %v", blob, err)
	}
	if _, err := Find(repo.Head(), fetch, func([]byte) bool { return false }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nothing matches: %v", err)
	}
	if _, err := Find(repo.Head(), func(string) ([]byte, error) { return nil, errors.New("offline") }, func([]byte) bool { return true }); err == nil {
		t.Fatal("a failed fetch is not reported")
	}
}
