package competency

import (
	"context"
	"io"
	"time"
)

// Import kinds: what an admin may upload.
const (
	KindSecBoK = "secbok"
	KindAttack = "attack"
)

// Imported says what catalogue of a kind is loaded, and who loaded it.
type Imported struct {
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	Count      int       `json:"count"`
	ImportedAt time.Time `json:"imported_at"`
	ImportedBy string    `json:"imported_by"`
}

// ImportStore keeps imported catalogues. Each Replace is all or nothing: a
// failure leaves the kind's previous catalogue as it was.
type ImportStore interface {
	ReplaceSecBoK(ctx context.Context, meta Imported, items []SecBoKItem) error
	ReplaceAttack(ctx context.Context, meta Imported, techniques []Technique) error
	SecBoKItems(ctx context.Context) ([]SecBoKItem, error)
	AttackTechniques(ctx context.Context) ([]Technique, error)
	Imports(ctx context.Context) ([]Imported, error)
}

// Importer reads uploads and keeps what they hold.
type Importer struct {
	Store  ImportStore
	Limits ImportLimits
	Now    func() time.Time
}

// ImportSecBoK reads a SecBoK workbook and replaces the loaded skill map.
// The warnings name the catalogue's SecBoK ids that the new map lacks:
// scenarios already published are not refused for them.
func (im *Importer) ImportSecBoK(ctx context.Context, workbook []byte, version, by string, catalogue []Scenario) (Imported, []Problem, error) {
	if version == "" {
		version = "2025"
	}
	sb, err := ParseSecBoK(workbook, version, im.Limits)
	if err != nil {
		return Imported{}, nil, err
	}
	meta := Imported{Kind: KindSecBoK, Name: "JNSA SecBoK", Version: version, Count: sb.Len(), ImportedAt: im.Now().UTC(), ImportedBy: by}
	if err := im.Store.ReplaceSecBoK(ctx, meta, sb.Items()); err != nil {
		return Imported{}, nil, err
	}
	var warnings []Problem
	for _, s := range catalogue {
		problems, _ := CheckSecBoK(s, sb)
		for _, p := range problems {
			p.Path = s.ID + ": " + p.Path
			warnings = append(warnings, p)
		}
	}
	return meta, warnings, nil
}

// ImportAttack reads an ATT&CK STIX 2.1 bundle as it streams and replaces
// the loaded technique catalogue.
func (im *Importer) ImportAttack(ctx context.Context, bundle io.Reader, by string) (Imported, error) {
	a, err := ParseSTIX(bundle, im.Limits)
	if err != nil {
		return Imported{}, err
	}
	version := a.Version
	if version == "" {
		version = "unknown"
	}
	meta := Imported{Kind: KindAttack, Name: "MITRE ATT&CK Enterprise", Version: version, Count: len(a.Techniques), ImportedAt: im.Now().UTC(), ImportedBy: by}
	return meta, im.Store.ReplaceAttack(ctx, meta, a.Techniques)
}

// Frameworks are the bundled catalogues with whatever has been imported in
// their place or beside them.
func (im *Importer) Frameworks(ctx context.Context) (*Frameworks, error) {
	f := Bundled()
	loaded, err := im.Store.Imports(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range loaded {
		switch m.Kind {
		case KindAttack:
			ts, err := im.Store.AttackTechniques(ctx)
			if err != nil {
				return nil, err
			}
			f = f.WithAttack(m.Version, ts)
		case KindSecBoK:
			items, err := im.Store.SecBoKItems(ctx)
			if err != nil {
				return nil, err
			}
			f = f.WithSecBoK(NewSecBoK(m.Version, items))
		}
	}
	return f, nil
}
