package labs

import (
	"errors"
	"io/fs"
	"path"
	"sort"

	"github.com/sakimori/sakimori/fault"
)

// Catalogue is the set of published scenarios, by id.
type Catalogue struct {
	byID map[string]*Scenario
}

// ErrScenarioNotFound is returned for an unknown scenario id.
var ErrScenarioNotFound = fault.New(fault.NotFound, "scenario_not_found", "There is no scenario with that id.")

// LoadCatalogue reads every scenario folder in fsys (each */scenario.yaml,
// see LoadScenario). Every manifest must be valid: one bad scenario stops
// the load, so a broken one is never served.
func LoadCatalogue(fsys fs.FS) (*Catalogue, error) {
	paths, err := fs.Glob(fsys, "*/scenario.yaml")
	if err != nil {
		return nil, err
	}
	c := &Catalogue{byID: map[string]*Scenario{}}
	var errs []error
	for _, p := range paths {
		dir := path.Dir(p)
		s, err := LoadScenario(fsys, dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if s.ID != dir {
			errs = append(errs, &ManifestError{Source: p, Problems: []Problem{{Path: "id", Message: "must match its folder name " + dir}}})
			continue
		}
		c.byID[s.ID] = s
	}
	return c, errors.Join(errs...)
}

// LoadScenario reads one scenario folder: its scenario.yaml, its text in
// every other language the range requires (text.<lang>.yaml, see
// TextLanguages), its instructor notes (README.md and README.<lang>.md)
// and, when the folder has one, its solution.yaml, the reference solution
// kept beside the manifest.
func LoadScenario(fsys fs.FS, dir string) (*Scenario, error) {
	manifest := path.Join(dir, "scenario.yaml")
	data, err := fs.ReadFile(fsys, manifest)
	if err != nil {
		return nil, err
	}
	solution, err := fs.ReadFile(fsys, path.Join(dir, "solution.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		solution = nil
	} else if err != nil {
		return nil, err
	} else if solution == nil {
		solution = []byte{} // an empty file is an empty solution, not none
	}
	s, err := ParseScenarioWithSolution(data, solution, manifest)
	if err != nil {
		return nil, err
	}
	textErr := loadTexts(fsys, dir, s)
	notes, err := loadNotes(fsys, dir, s)
	if err != nil {
		return nil, err
	}
	if textErr == nil && len(notes) == 0 {
		return s, nil
	}
	// One report of everything the folder lacks, the words and the notes.
	var me *ManifestError
	if textErr != nil && !errors.As(textErr, &me) {
		return nil, textErr
	}
	if me == nil {
		me = &ManifestError{Source: manifest}
	}
	me.Problems = append(me.Problems, notes...)
	return nil, me
}

// Scenario returns one scenario.
func (c *Catalogue) Scenario(id string) (*Scenario, error) {
	s, ok := c.byID[id]
	if !ok {
		return nil, ErrScenarioNotFound
	}
	return s, nil
}

// All returns every scenario, ordered by id.
func (c *Catalogue) All() []*Scenario {
	out := make([]*Scenario, 0, len(c.byID))
	for _, s := range c.byID {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
