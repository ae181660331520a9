package main

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"

	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/sim/labkit"
)

// What a manifest asks the binary to run: "sakimori-sim MODE", in a
// command list or a shell line, its traffic script and its instance app.
var (
	modeUse   = regexp.MustCompile(`sakimori-sim,?\s+([\w-]+)`)
	scriptUse = regexp.MustCompile(`sakimori-sim,?\s+traffic,?\s+([\w-]+)`)
	appUse    = regexp.MustCompile(`sakimori-sim,?\s+instance,?\s+-app,?\s+([\w-]+)`)
)

// Every mode, app and script a built-in scenario names is in the binary:
// a scenario whose import line is missing fails here, not in a lab.
func TestTheBinaryHoldsWhatTheScenariosRun(t *testing.T) {
	manifests, err := fs.Glob(scenarios.Files(), "*/*.yaml")
	if err != nil || len(manifests) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	uses := 0
	for _, p := range manifests {
		text, err := fs.ReadFile(scenarios.Files(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			use  *regexp.Regexp
			kind string
			have []string
		}{{modeUse, "mode", labkit.Modes()}, {scriptUse, "traffic script", labkit.Scripts()}, {appUse, "app", labkit.Apps()}} {
			for _, m := range c.use.FindAllSubmatch(text, -1) {
				uses++
				if name := string(m[1]); !slices.Contains(c.have, name) {
					t.Errorf("%s runs %s %q, which sakimori-sim does not have (%v)", p, c.kind, name, c.have)
				}
			}
		}
	}
	if uses < 10 {
		t.Fatalf("found only %d uses of sakimori-sim in the manifests: this test no longer reads them", uses)
	}
}
