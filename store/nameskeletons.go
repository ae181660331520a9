package store

import (
	"context"

	"github.com/sakimori/sakimori/accounts"
)

// fillNameSkeletons gives every account stored without a display-name
// skeleton its skeleton. Accounts made before the column existed have none,
// and the skeleton needs Unicode data that only the Go side has, so the
// migration leaves them empty and this fills them in. Once done it costs
// one indexed query per start.
func (db *DB) fillNameSkeletons(ctx context.Context) error {
	g := db.gorm.WithContext(ctx)
	// Paged by id, so a name whose skeleton is empty is passed, not refetched.
	after := ""
	for {
		var rows []userRow
		err := g.Where("display_name_skeleton = '' AND id > ?", after).Order("id").Limit(500).Find(&rows).Error
		if err != nil {
			return internal(err)
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			after = r.ID
			skeleton := accounts.NameSkeleton(r.DisplayName)
			err := g.Model(&userRow{}).Where("id = ?", r.ID).Update("display_name_skeleton", skeleton).Error
			if err != nil {
				return internal(err)
			}
		}
	}
}
