package authoring

import (
	"bytes"
	"context"
	"sort"

	"github.com/aymanbagabas/go-udiff"

	"github.com/sakimori/sakimori/labs/bundle"
)

// FileDiff is how one file differs between two versions: a unified diff,
// or, for a file that is not text, only that it changed.
type FileDiff struct {
	Path    string
	Change  string // added, removed, changed
	Unified string // empty for a binary file
}

// Diff compares two versions the actor may read, file by file, in path
// order; files equal in both are left out.
func (s *Service) Diff(ctx context.Context, actor Actor, authoredID, from, to string) ([]FileDiff, error) {
	a, err := s.open(ctx, actor, authoredID, from)
	if err != nil {
		return nil, err
	}
	b, err := s.open(ctx, actor, authoredID, to)
	if err != nil {
		return nil, err
	}
	return DiffBundles(a, b), nil
}

func (s *Service) open(ctx context.Context, actor Actor, authoredID, digest string) (*bundle.Bundle, error) {
	if b, builtIn, err := s.builtInSide(digest); builtIn {
		return b, err
	}
	data, err := s.Bundle(ctx, actor, authoredID, digest)
	if err != nil {
		return nil, err
	}
	return s.read(data)
}

// DiffBundles compares two bundles file by file.
func DiffBundles(a, b *bundle.Bundle) []FileDiff {
	paths := map[string]bool{}
	for p := range a.Files {
		paths[p] = true
	}
	for p := range b.Files {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	var out []FileDiff
	for _, p := range sorted {
		old, inA := a.Files[p]
		cur, inB := b.Files[p]
		if inA && inB && bytes.Equal(old, cur) {
			continue
		}
		d := FileDiff{Path: p, Change: "changed"}
		switch {
		case !inA:
			d.Change = "added"
		case !inB:
			d.Change = "removed"
		}
		if isText(old) && isText(cur) {
			d.Unified = udiff.Unified("a/"+p, "b/"+p, string(old), string(cur))
		}
		out = append(out, d)
	}
	return out
}

// isText says whether a file can be shown as lines: no NUL byte.
func isText(data []byte) bool { return !bytes.Contains(data, []byte{0}) }
