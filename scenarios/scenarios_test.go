package scenarios

import (
	"io/fs"
	"path"
	"strings"
	"testing"
)

// The catalogue the platform embeds is data only, and every scenario
// folder has its manifest, its reference solution and its notes. A
// scenario's files/ are the files its hosts start with, copied in as they
// are, never run by the platform.
func TestCatalogueIsDataOnly(t *testing.T) {
	dirs := map[string]map[string]bool{}
	err := fs.WalkDir(Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if parts := strings.Split(p, "/"); len(parts) > 2 && parts[1] == "files" {
			if path.Ext(p) == ".go" {
				t.Errorf("%s is Go code in a scenario's files", p)
			}
			return nil
		}
		if ext := path.Ext(p); ext != ".yaml" && ext != ".md" {
			t.Errorf("%s is embedded: the catalogue holds yaml and md only", p)
		}
		dir := path.Dir(p)
		if dirs[dir] == nil {
			dirs[dir] = map[string]bool{}
		}
		dirs[dir][path.Base(p)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no scenarios embedded")
	}
	for dir, files := range dirs {
		for _, want := range []string{"scenario.yaml", "text.ja.yaml", "solution.yaml", "README.md"} {
			if !files[want] {
				t.Errorf("%s has no %s", dir, want)
			}
		}
	}
}
