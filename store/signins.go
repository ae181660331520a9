package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/accounts"
)

type signInRow struct {
	AccountKey   string `gorm:"primaryKey"`
	Failures     int
	LastFailedAt time.Time
	BlockedUntil time.Time
	Version      int64
}

func (signInRow) TableName() string { return "sign_in_failures" }

func (a *Accounts) SignInFailures(ctx context.Context, key string) (accounts.SignInFailures, error) {
	var row signInRow
	err := a.db.WithContext(ctx).Where("account_key = ?", key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.SignInFailures{}, nil
	}
	if err != nil {
		return accounts.SignInFailures{}, internal(err)
	}
	return accounts.SignInFailures{Failures: row.Failures, LastFailedAt: row.LastFailedAt.UTC(),
		BlockedUntil: row.BlockedUntil.UTC(), Version: row.Version}, nil
}

// SwapSignInFailures is a compare-and-swap on the row's version: an insert
// that does nothing if another attempt inserted first, or an update of the
// version seen only.
func (a *Accounts) SwapSignInFailures(ctx context.Context, key string, seen, next accounts.SignInFailures) (bool, error) {
	row := signInRow{AccountKey: key, Failures: next.Failures, LastFailedAt: next.LastFailedAt.UTC(),
		BlockedUntil: next.BlockedUntil.UTC(), Version: seen.Version + 1}
	var res *gorm.DB
	if seen.Version == 0 {
		res = a.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
	} else {
		res = a.db.WithContext(ctx).Model(&signInRow{}).Where("account_key = ? AND version = ?", key, seen.Version).
			Updates(map[string]any{"failures": row.Failures, "last_failed_at": row.LastFailedAt,
				"blocked_until": row.BlockedUntil, "version": row.Version})
	}
	if res.Error != nil {
		return false, internal(res.Error)
	}
	return res.RowsAffected == 1, nil
}

func (a *Accounts) ForgetSignInFailures(ctx context.Context, before time.Time) error {
	return internal(a.db.WithContext(ctx).Where("last_failed_at < ?", before.UTC()).Delete(&signInRow{}).Error)
}

func (a *Accounts) ClearSignInFailures(ctx context.Context, key string) error {
	return internal(a.db.WithContext(ctx).Where("account_key = ?", key).Delete(&signInRow{}).Error)
}
