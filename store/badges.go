package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/badges"
)

// Badges implements badges.Store.
type Badges struct{ db *gorm.DB }

// Badges returns the Open Badges store over db.
func (db *DB) Badges() *Badges { return &Badges{db: db.gorm} }

var _ badges.Store = (*Badges)(nil)

type badgeKeyRow struct {
	Kid           string `gorm:"primaryKey"`
	PublicKey     string
	SealedPrivate string
	CreatedAt     time.Time
}

func (badgeKeyRow) TableName() string { return "badge_keys" }

type badgeAwardRow struct {
	ID          string `gorm:"primaryKey"`
	UserID      string
	Kind        string
	Ref         string
	Achievement string
	Holder      string
	IssuedAt    time.Time
	StatusIndex int
	RevokedAt   *time.Time
	RevokedBy   string
}

func (badgeAwardRow) TableName() string { return "badge_awards" }

func (r badgeAwardRow) award() (badges.StoredAward, error) {
	a := badges.StoredAward{ID: r.ID, UserID: r.UserID, Holder: r.Holder, IssuedAt: r.IssuedAt.UTC(),
		StatusIndex: r.StatusIndex, RevokedBy: r.RevokedBy}
	if r.RevokedAt != nil {
		at := r.RevokedAt.UTC()
		a.RevokedAt = &at
	}
	return a, internal(json.Unmarshal([]byte(r.Achievement), &a.Achievement))
}

type badgeSettingsRow struct {
	OrganisationID string `gorm:"primaryKey"`
	RoleThreshold  int
	UpdatedAt      time.Time
}

func (badgeSettingsRow) TableName() string { return "badge_settings" }

func (b *Badges) Keys(ctx context.Context) ([]badges.StoredKey, error) {
	var rows []badgeKeyRow
	if err := b.db.WithContext(ctx).Order("created_at DESC, kid DESC").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]badges.StoredKey, 0, len(rows))
	for _, r := range rows {
		pub, err := base64.RawStdEncoding.DecodeString(r.PublicKey)
		if err != nil {
			return nil, internal(err)
		}
		out = append(out, badges.StoredKey{Kid: r.Kid, Public: pub, SealedPrivate: r.SealedPrivate, CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

func (b *Badges) AddKey(ctx context.Context, k badges.StoredKey) error {
	row := badgeKeyRow{Kid: k.Kid, PublicKey: base64.RawStdEncoding.EncodeToString(k.Public), SealedPrivate: k.SealedPrivate, CreatedAt: k.CreatedAt}
	return internal(b.db.WithContext(ctx).Create(&row).Error)
}

func (b *Badges) Award(ctx context.Context, id string) (badges.StoredAward, error) {
	var row badgeAwardRow
	err := b.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return badges.StoredAward{}, badges.ErrAwardNotFound
	}
	if err != nil {
		return badges.StoredAward{}, internal(err)
	}
	return row.award()
}

func (b *Badges) AwardsOf(ctx context.Context, userID string) ([]badges.StoredAward, error) {
	var rows []badgeAwardRow
	if err := b.db.WithContext(ctx).Where("user_id = ?", userID).Order("issued_at, status_index").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]badges.StoredAward, 0, len(rows))
	for _, r := range rows {
		a, err := r.award()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AddAward takes the next status index in the same transaction as the
// insert; two concurrent grants that race for one index make one of them
// fail on the unique index and try again.
func (b *Badges) AddAward(ctx context.Context, a badges.StoredAward) (badges.StoredAward, error) {
	ach, err := json.Marshal(a.Achievement)
	if err != nil {
		return badges.StoredAward{}, internal(err)
	}
	for attempt := 0; ; attempt++ {
		err = b.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var existing badgeAwardRow
			err := tx.Where("user_id = ? AND kind = ? AND ref = ?", a.UserID, a.Achievement.Kind, a.Achievement.Ref).Take(&existing).Error
			if err == nil {
				a.ID, a.StatusIndex = existing.ID, existing.StatusIndex
				return nil
			}
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			var next struct{ N *int }
			if err := tx.Model(&badgeAwardRow{}).Select("MAX(status_index) + 1 AS n").Scan(&next).Error; err != nil {
				return err
			}
			if next.N != nil {
				a.StatusIndex = *next.N
			}
			if a.StatusIndex >= badges.StatusListSize {
				return errors.New("store: the badge revocation list is full")
			}
			row := badgeAwardRow{ID: a.ID, UserID: a.UserID, Kind: a.Achievement.Kind, Ref: a.Achievement.Ref, Achievement: string(ach),
				Holder: a.Holder, IssuedAt: a.IssuedAt, StatusIndex: a.StatusIndex}
			return tx.Create(&row).Error
		})
		if !errors.Is(err, gorm.ErrDuplicatedKey) || attempt >= 5 {
			break
		}
	}
	if err != nil {
		return badges.StoredAward{}, internal(err)
	}
	return b.Award(ctx, a.ID)
}

func (b *Badges) Revoke(ctx context.Context, id, by string, at time.Time) error {
	res := b.db.WithContext(ctx).Model(&badgeAwardRow{}).Where("id = ? AND revoked_at IS NULL", id).
		Updates(map[string]any{"revoked_at": at, "revoked_by": by})
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	if _, err := b.Award(ctx, id); err != nil {
		return err
	}
	return badges.ErrAlreadyRevoked
}

func (b *Badges) RevokedIndices(ctx context.Context) ([]int, error) {
	var out []int
	err := b.db.WithContext(ctx).Model(&badgeAwardRow{}).Where("revoked_at IS NOT NULL").Order("status_index").Pluck("status_index", &out).Error
	return out, internal(err)
}

func (b *Badges) RoleThreshold(ctx context.Context, orgID string) (int, bool, error) {
	var row badgeSettingsRow
	err := b.db.WithContext(ctx).Where("organisation_id = ?", orgID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, internal(err)
	}
	return row.RoleThreshold, true, nil
}

func (b *Badges) SetRoleThreshold(ctx context.Context, orgID string, percent int, at time.Time) error {
	row := badgeSettingsRow{OrganisationID: orgID, RoleThreshold: percent, UpdatedAt: at}
	return internal(b.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "organisation_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"role_threshold", "updated_at"}),
	}).Create(&row).Error)
}
