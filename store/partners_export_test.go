package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/scoring"
)

// RecordSlowly stores a scoring record in a transaction held open for
// hold after the insert, as a busy server's writer might be: the record
// has its place in the feed's sequence well before it commits.
func (db *DB) RecordSlowly(ctx context.Context, e scoring.Event, hold time.Duration) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := (&Scoring{db: tx}).Record(ctx, e); err != nil {
			return err
		}
		time.Sleep(hold)
		return nil
	})
}
