package scenarios

import (
	"io/fs"
	"path"
	"testing"
)

// The catalogue the platform embeds is data only, and every scenario
// folder has its manifest, its reference solution and its notes.
func TestCatalogueIsDataOnly(t *testing.T) {
	dirs := map[string]map[string]bool{}
	err := fs.WalkDir(Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
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
