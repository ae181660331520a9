package scenarios_test

import (
	"io/fs"
	"slices"
	"testing"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

// Every template is a scenario the range loads as it stands (manifest,
// solution, Japanese words and notes), named by its folder, and exports
// as a bundle an upload accepts; every folder is offered.
func TestEveryTemplateLoadsAndBundles(t *testing.T) {
	dirs, err := fs.ReadDir(scenarios.Templates(), ".")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, d := range dirs {
		found = append(found, d.Name())
	}
	slices.Sort(found)
	offered := slices.Sorted(slices.Values(scenarios.TemplateNames))
	if !slices.Equal(found, offered) {
		t.Fatalf("folders %v, offered %v", found, offered)
	}
	for _, name := range scenarios.TemplateNames {
		s, err := labs.LoadScenario(scenarios.Templates(), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if s.ID != name || len(s.Solution) == 0 || len(s.Objectives) == 0 {
			t.Errorf("%s: id %q, %d solution steps, %d objectives", name, s.ID, len(s.Solution), len(s.Objectives))
		}
		data, err := bundle.Export(scenarios.Templates(), name)
		if err != nil {
			t.Errorf("%s: export: %v", name, err)
			continue
		}
		if _, _, err := bundle.Import(data, bundle.DefaultLimits); err != nil {
			t.Errorf("%s: the exported bundle is refused: %v", name, err)
		}
	}
}
