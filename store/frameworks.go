package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/competency"
)

// Frameworks implements competency.ImportStore.
type Frameworks struct{ db *gorm.DB }

// Frameworks returns the imported competency catalogues' store over db.
func (db *DB) Frameworks() *Frameworks { return &Frameworks{db: db.gorm} }

var _ competency.ImportStore = (*Frameworks)(nil)

type frameworkImportRow struct {
	Kind       string `gorm:"primaryKey"`
	Name       string
	Version    string
	ItemCount  int
	ImportedAt time.Time
	ImportedBy string
}

func (frameworkImportRow) TableName() string { return "framework_imports" }

type secbokItemRow struct {
	ID     string `gorm:"primaryKey"`
	Name   string
	Major  string
	Middle string
}

func (secbokItemRow) TableName() string { return "secbok_items" }

type attackTechniqueRow struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	Tactics   string
	Platforms string
}

func (attackTechniqueRow) TableName() string { return "attack_techniques" }

// importBatch keeps each INSERT well under both dialects' limits on bound
// parameters (SQLite's is 32,766).
const importBatch = 500

// replace swaps a kind's rows and its import row in one transaction, so a
// failure part way leaves the previous catalogue whole.
func (f *Frameworks) replace(ctx context.Context, meta competency.Imported, table any, rows any) error {
	return internal(f.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(table).Error; err != nil {
			return err
		}
		if err := tx.CreateInBatches(rows, importBatch).Error; err != nil {
			return err
		}
		row := frameworkImportRow{Kind: meta.Kind, Name: meta.Name, Version: meta.Version, ItemCount: meta.Count,
			ImportedAt: meta.ImportedAt, ImportedBy: meta.ImportedBy}
		return tx.Save(&row).Error
	}))
}

func (f *Frameworks) ReplaceSecBoK(ctx context.Context, meta competency.Imported, items []competency.SecBoKItem) error {
	rows := make([]secbokItemRow, len(items))
	for i, it := range items {
		rows[i] = secbokItemRow{ID: it.ID, Name: it.Name, Major: it.Major, Middle: it.Middle}
	}
	return f.replace(ctx, meta, &secbokItemRow{}, rows)
}

func (f *Frameworks) ReplaceAttack(ctx context.Context, meta competency.Imported, techniques []competency.Technique) error {
	rows := make([]attackTechniqueRow, len(techniques))
	for i, t := range techniques {
		rows[i] = attackTechniqueRow{ID: t.ID, Name: t.Name, Tactics: strings.Join(t.Tactics, "\n"), Platforms: strings.Join(t.Platforms, "\n")}
	}
	return f.replace(ctx, meta, &attackTechniqueRow{}, rows)
}

func (f *Frameworks) SecBoKItems(ctx context.Context) ([]competency.SecBoKItem, error) {
	var rows []secbokItemRow
	if err := f.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]competency.SecBoKItem, len(rows))
	for i, r := range rows {
		out[i] = competency.SecBoKItem{ID: r.ID, Name: r.Name, Major: r.Major, Middle: r.Middle}
	}
	return out, nil
}

func (f *Frameworks) AttackTechniques(ctx context.Context) ([]competency.Technique, error) {
	var rows []attackTechniqueRow
	if err := f.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]competency.Technique, len(rows))
	for i, r := range rows {
		out[i] = competency.Technique{ID: r.ID, Name: r.Name, Tactics: lines(r.Tactics), Platforms: lines(r.Platforms)}
	}
	return out, nil
}

func (f *Frameworks) Imports(ctx context.Context) ([]competency.Imported, error) {
	var rows []frameworkImportRow
	if err := f.db.WithContext(ctx).Order("kind").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]competency.Imported, len(rows))
	for i, r := range rows {
		out[i] = competency.Imported{Kind: r.Kind, Name: r.Name, Version: r.Version, Count: r.ItemCount,
			ImportedAt: r.ImportedAt.UTC(), ImportedBy: r.ImportedBy}
	}
	return out, nil
}
