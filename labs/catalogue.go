package labs

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/sakimori/sakimori/fault"
)

// Catalogue is the set of scenarios labs are launched from, by id: the
// built-in ones, read at start, and, once UseAuthored is called, versions
// of scenarios written on the range, found as they are asked for.
type Catalogue struct {
	byID map[string]*Scenario

	authored func(id string) (*Scenario, error)
	mu       sync.Mutex
	// found keeps authored versions once read. A version's id names its
	// bytes, so what was read stays true for ever; the map grows only by
	// the versions labs were launched from or looked at.
	found map[string]*Scenario
}

// AuthoredID names one version of a scenario written on the range: its
// manifest id and the sha256 of its bundle. Built-in ids never hold "@",
// so the two kinds never meet, and a lab's scenario id names the exact
// version it was launched from.
func AuthoredID(scenarioID, digest string) string { return scenarioID + "@" + digest }

// SplitAuthoredID is AuthoredID's inverse; ok is false for a built-in id.
func SplitAuthoredID(id string) (scenarioID, digest string, ok bool) {
	return strings.Cut(id, "@")
}

// UseAuthored lets the catalogue find authored versions (ids made by
// AuthoredID) through find, which returns the version's scenario with
// that id, or an error. Call it before the catalogue is in use.
func (c *Catalogue) UseAuthored(find func(id string) (*Scenario, error)) {
	c.authored, c.found = find, map[string]*Scenario{}
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
	notes = append(loadFiles(fsys, dir, s), notes...)
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

// Scenario returns one scenario, built in or authored. An authored one is
// returned whoever asks: whether a person may see or launch it is the
// authoring service's to say, before they get here.
func (c *Catalogue) Scenario(id string) (*Scenario, error) {
	if s, ok := c.byID[id]; ok {
		return s, nil
	}
	if _, _, authored := SplitAuthoredID(id); !authored || c.authored == nil {
		return nil, ErrScenarioNotFound
	}
	c.mu.Lock()
	s, ok := c.found[id]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := c.authored(id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.found[id] = s
	c.mu.Unlock()
	return s, nil
}

// All returns every built-in scenario, ordered by id.
func (c *Catalogue) All() []*Scenario {
	out := make([]*Scenario, 0, len(c.byID))
	for _, s := range c.byID {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
