// The layer rules of DESIGN.md, checked on every test run: domains stay free
// of the web framework, the ORM and the container engine, so they can be
// read, tested and moved without them.
package sakimori_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbidden lists, per directory, import path prefixes its non-test Go files
// must not use.
var forbidden = map[string][]string{
	"accounts":        {"github.com/gofiber/", "gorm.io/", "github.com/docker/", "github.com/sakimori/sakimori/server", "github.com/sakimori/sakimori/store"},
	"labs":            {"github.com/gofiber/", "gorm.io/", "github.com/docker/", "github.com/sakimori/sakimori/server", "github.com/sakimori/sakimori/store"},
	"labs/driver":     {"github.com/gofiber/", "gorm.io/", "github.com/docker/", "github.com/sakimori/sakimori/labs/driver/"},
	"scoring":         {"github.com/gofiber/", "gorm.io/", "github.com/docker/", "github.com/sakimori/sakimori/labs", "github.com/sakimori/sakimori/server", "github.com/sakimori/sakimori/store"},
	"progress":        {"github.com/gofiber/", "gorm.io/", "github.com/docker/", "github.com/sakimori/sakimori/server", "github.com/sakimori/sakimori/store"},
	"fault":           {"github.com/"},
	"manifest":        {"github.com/sakimori/"}, // shared by labs and scoring, so it imports neither
	"labs/forscoring": {"github.com/gofiber/", "gorm.io/", "github.com/docker/"},
	"rehearsal":       {"github.com/gofiber/", "gorm.io/", "github.com/docker/", "github.com/sakimori/sakimori/server", "github.com/sakimori/sakimori/store"},
	"server":          {"gorm.io/", "github.com/docker/", "github.com/sakimori/sakimori/store"},
}

// The platform never imports what runs inside labs: the emulators in sim/
// and the Go code of the scenarios (their apps and scripted traffic). It
// may import the root scenarios package, which embeds only data files.
var labSide = []string{"github.com/sakimori/sakimori/sim", "github.com/sakimori/sakimori/scenarios/"}

// platform are the folders that must stay free of labSide.
var platform = []string{"server", "labs", "scoring", "progress", "accounts", "store", "cmd/sakimori"}

func TestLayerRules(t *testing.T) {
	checked := 0
	rules := map[string][]string{}
	for dir, bans := range forbidden {
		rules[dir] = bans
	}
	for _, dir := range platform {
		rules[dir] = append(append([]string(nil), rules[dir]...), labSide...)
	}
	for dir, bans := range rules {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, ban := range bans {
					if strings.HasPrefix(path, ban) {
						t.Errorf("%s imports %s: %s must not depend on %s", file, path, dir, ban)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no files checked: the layout moved and this test must follow it")
	}
}

// Only cmd/sakimori may wire the store and the server together.
func TestOnlyMainWiresEverything(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.HasPrefix(path, "cmd/") || strings.Contains(path, "node_modules") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		var store, server bool
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			store = store || p == "github.com/sakimori/sakimori/store"
			server = server || p == "github.com/sakimori/sakimori/server"
		}
		if store && server {
			t.Errorf("%s imports both store and server: only cmd/sakimori wires them", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
