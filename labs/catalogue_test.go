package labs

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sakimori/sakimori/scenarios"
)

// A scenario folder's solution.yaml is its reference solution, held to
// the same rules as a solution written in the manifest.
func TestSolutionBesideTheManifest(t *testing.T) {
	folder := func(manifest, solution string) fstest.MapFS {
		fsys := fstest.MapFS{"sample/scenario.yaml": {Data: []byte(manifest)}, "sample/text.ja.yaml": {Data: []byte(validJapanese)}}
		if solution != "" {
			fsys["sample/solution.yaml"] = &fstest.MapFile{Data: []byte(solution)}
		}
		return fsys
	}
	s, err := LoadScenario(folder(valid, "- objective: get-flag\n  run: cat /flag\n"), "sample")
	if err != nil || len(s.Solution) != 1 || s.Solution[0].Run != "cat /flag" {
		t.Fatalf("solution.yaml not loaded: %+v, %v", s, err)
	}
	if s, err := LoadScenario(folder(valid, ""), "sample"); err != nil || len(s.Solution) != 0 {
		t.Fatalf("a folder without solution.yaml: %+v, %v", s, err)
	}
	cases := []struct{ name, manifest, solution, path, message string }{
		{"unknown objective", valid, "- {objective: nope, answer: x}\n", "solution[0].objective", "no objective"},
		{"no action", valid, "- {objective: get-flag}\n", "solution[0]", "run or answer"},
		{"unknown field", valid, "- {objective: get-flag, answr: x}\n", "solution", "answr"},
		{"not a list", valid, "objective: get-flag\n", "solution", "solution.yaml"},
		{"in both places", strings.Replace(valid, "hints: [", "solution: [{objective: get-flag, answer: x}]\nhints: [", 1),
			"- {objective: get-flag, answer: x}\n", "solution", "both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadScenario(folder(tc.manifest, tc.solution), "sample")
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("want a manifest error, got %v", err)
			}
			for _, p := range me.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Fatalf("want %s: …%s…, got %v", tc.path, tc.message, me.Problems)
		})
	}
}

// Every built-in scenario keeps its reference solution in solution.yaml.
func TestBuiltInScenariosHaveSolutions(t *testing.T) {
	c, err := LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.All() {
		if len(s.Solution) == 0 {
			t.Errorf("%s has no reference solution", s.ID)
		}
	}
}
