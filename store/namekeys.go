package store

import (
	"context"

	"github.com/sakimori/sakimori/accounts"
)

// fillNameKeys gives every account stored without display-name keys its
// keys. Accounts made before the columns existed have none, and the keys
// need Unicode data that only the Go side has, so the migration leaves them
// empty and this fills them in. Once done it costs
// one indexed query per start.
func (db *DB) fillNameKeys(ctx context.Context) error {
	g := db.gorm.WithContext(ctx)
	// Paged by id, so a name whose keys are empty is passed, not refetched.
	after := ""
	for {
		var rows []userRow
		err := g.Where("display_name_key_folded = '' AND id > ?", after).Order("id").Limit(500).Find(&rows).Error
		if err != nil {
			return internal(err)
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			after = r.ID
			keys := accounts.NameKeysOf(r.DisplayName)
			err := g.Model(&userRow{}).Where("id = ?", r.ID).
				Updates(map[string]any{"display_name_key_folded": keys.Folded, "display_name_key_shaped": keys.Shaped}).Error
			if err != nil {
				return internal(err)
			}
		}
	}
}
