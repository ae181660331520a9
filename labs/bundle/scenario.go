package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sakimori/sakimori/labs"
)

// Scenario reads and validates the scenario a bundle holds, exactly as
// the catalogue reads a folder (labs.LoadScenario): the manifest, its
// solution.yaml, its overlays and its notes.
func (b *Bundle) Scenario() (*labs.Scenario, error) {
	return labs.LoadScenario(b.FS(), ".")
}

// Import reads a bundle, refusing an unsafe one (see Read), and then its
// scenario, refusing an invalid one (see labs.Validate). Nothing is kept
// unless both pass.
func Import(data []byte, lim Limits) (*Bundle, *labs.Scenario, error) {
	b, err := Read(bytes.NewReader(data), lim)
	if err != nil {
		return nil, nil, err
	}
	s, err := b.Scenario()
	if err != nil {
		return nil, nil, err
	}
	return b, s, nil
}

// WriteDir writes the bundle's files into dir, which must not exist yet
// or be empty, so an import never mixes with or overwrites a folder.
func (b *Bundle) WriteDir(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, p := range b.Paths() {
		// checkPath already held every name to plain segments below the root.
		target := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, b.Files[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}
