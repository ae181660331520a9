package authoring

import (
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
)

// The range's built-in scenarios are versions of the same kind as authored
// ones: each is its folder's bundle, named by the bundle's sha256, and
// numbered by its manifest's version. They are read-only: there is
// nothing to publish or withdraw, and an author who wants one changed
// saves a copy of its files as a draft of their own. A diff takes a
// built-in as either side, as "builtin:<id>".

// BuiltInPrefix marks a built-in scenario where a diff takes a version.
const BuiltInPrefix = "builtin:"

// BuiltIn is one built-in scenario as a read-only version.
type BuiltIn struct {
	ScenarioID string // also its lab id
	Title      string
	Number     int // the manifest's version
	Digest     string
	Size       int64
	bundle     []byte
}

// ErrBuiltInNotFound is a built-in scenario the range does not have.
var ErrBuiltInNotFound = fault.New(fault.NotFound, "scenario_not_found", "There is no scenario with that id.")

type builtIns struct {
	once sync.Once
	fsys fs.FS
	list []BuiltIn
	err  error
}

// UseBuiltIns gives the service the built-in catalogue's folders, one
// directory a scenario, as the binary carries them.
func (s *Service) UseBuiltIns(fsys fs.FS) { s.builtIns = &builtIns{fsys: fsys} }

// BuiltIns lists the built-in scenarios as versions, by id. Their bundles
// are made once: the binary's folders do not change while it runs.
func (s *Service) BuiltIns() ([]BuiltIn, error) {
	b := s.builtIns
	if b == nil {
		return nil, nil
	}
	b.once.Do(func() { b.list, b.err = exportBuiltIns(b.fsys) })
	return b.list, b.err
}

func exportBuiltIns(fsys fs.FS) ([]BuiltIn, error) {
	dirs, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []BuiltIn
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		sc, err := labs.LoadScenario(fsys, d.Name())
		if err != nil {
			return nil, err
		}
		data, err := bundle.Export(fsys, d.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, BuiltIn{ScenarioID: sc.ID, Title: sc.Title, Number: sc.Version, Digest: Digest(data), Size: int64(len(data)), bundle: data})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ScenarioID < out[j].ScenarioID })
	return out, nil
}

// BuiltInFiles is a built-in scenario's folder, as its bundle holds it.
func (s *Service) BuiltInFiles(id string) (map[string][]byte, error) {
	data, err := s.builtInBundle(id)
	if err != nil {
		return nil, err
	}
	return s.filesOf(data)
}

// BuiltInBundle is a built-in scenario's bundle, and the version it is.
func (s *Service) BuiltInBundle(id string) (BuiltIn, []byte, error) {
	list, err := s.BuiltIns()
	if err != nil {
		return BuiltIn{}, nil, err
	}
	for _, b := range list {
		if b.ScenarioID == id {
			return b, b.bundle, nil
		}
	}
	return BuiltIn{}, nil, ErrBuiltInNotFound
}

func (s *Service) builtInBundle(id string) ([]byte, error) {
	_, data, err := s.BuiltInBundle(id)
	return data, err
}

// builtInSide reads one side of a diff that names a built-in scenario.
func (s *Service) builtInSide(version string) (*bundle.Bundle, bool, error) {
	id, ok := strings.CutPrefix(version, BuiltInPrefix)
	if !ok {
		return nil, false, nil
	}
	data, err := s.builtInBundle(id)
	if err != nil {
		return nil, true, err
	}
	b, err := s.read(data)
	return b, true, err
}
