package authoring_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/labs/bundle"
)

// Files equal in both are left out; added, removed and changed files are
// named, text files with a unified diff, binary ones without.
func TestDiffBundles(t *testing.T) {
	a := &bundle.Bundle{Files: map[string][]byte{
		"scenario.yaml": []byte("id: x\ntitle: Old\n"), "README.md": []byte("same\n"),
		"gone.txt": []byte("bye\n"), "files/logo.png": {0x89, 'P', 0, 1},
	}}
	b := &bundle.Bundle{Files: map[string][]byte{
		"scenario.yaml": []byte("id: x\ntitle: New\n"), "README.md": []byte("same\n"),
		"new.txt": []byte("hello\n"), "files/logo.png": {0x89, 'P', 0, 2},
	}}
	got := authoring.DiffBundles(a, b)
	want := []struct{ path, change, line string }{
		{"files/logo.png", "changed", ""}, {"gone.txt", "removed", "-bye"}, {"new.txt", "added", "+hello"}, {"scenario.yaml", "changed", "+title: New"},
	}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.Path != w.path || g.Change != w.change || (w.line == "") != (g.Unified == "") || !strings.Contains(g.Unified, w.line) {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	if !strings.Contains(got[3].Unified, "--- a/scenario.yaml") || !strings.Contains(got[3].Unified, "-title: Old") {
		t.Errorf("not a unified diff:\n%s", got[3].Unified)
	}
}
