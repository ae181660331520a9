package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/accounts"
)

// Rows of the second factors, kept private like the accounts rows.
type totpRow struct {
	UserID       string `gorm:"primaryKey"`
	SecretSealed string
	CreatedAt    time.Time
	ConfirmedAt  *time.Time
	LastStep     int64
}

func (totpRow) TableName() string { return "mfa_totp" }

type passkeyRow struct {
	ID           string `gorm:"primaryKey"`
	UserID       string
	CredentialID string
	Name         string
	Credential   string
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

func (passkeyRow) TableName() string { return "passkeys" }

type ceremonyRow struct {
	HandleHash string  `gorm:"primaryKey"`
	UserID     *string // nil for a passkey sign-in, whose person is not known yet
	Purpose    string
	State      string
	Failures   int
	ExpiresAt  time.Time
}

func (ceremonyRow) TableName() string { return "mfa_ceremonies" }

type mfaRoleRow struct {
	Role string `gorm:"primaryKey"`
}

func (mfaRoleRow) TableName() string { return "mfa_required_roles" }

func (a *Accounts) PutTOTP(ctx context.Context, t accounts.TOTP) error {
	row := totpRow{UserID: t.UserID, SecretSealed: t.SecretSealed, CreatedAt: t.CreatedAt, ConfirmedAt: t.ConfirmedAt, LastStep: t.LastStep}
	err := a.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"secret_sealed", "created_at", "confirmed_at", "last_step"}),
	}).Create(&row).Error
	return internal(err)
}

func (a *Accounts) TOTPOf(ctx context.Context, userID string) (accounts.TOTP, error) {
	var r totpRow
	err := a.db.WithContext(ctx).Where("user_id = ?", userID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.TOTP{}, accounts.ErrTOTPNotSet
	}
	if err != nil {
		return accounts.TOTP{}, internal(err)
	}
	return accounts.TOTP{UserID: r.UserID, SecretSealed: r.SecretSealed, CreatedAt: r.CreatedAt, ConfirmedAt: r.ConfirmedAt, LastStep: r.LastStep}, nil
}

func (a *Accounts) ConfirmTOTP(ctx context.Context, userID string, at time.Time, step int64) (bool, error) {
	res := a.db.WithContext(ctx).Model(&totpRow{}).
		Where("user_id = ? AND confirmed_at IS NULL", userID).
		Updates(map[string]any{"confirmed_at": at, "last_step": step})
	return res.RowsAffected == 1, internal(res.Error)
}

func (a *Accounts) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res := a.db.WithContext(ctx).Model(&totpRow{}).
		Where("user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?", userID, step).
		Update("last_step", step)
	return res.RowsAffected == 1, internal(res.Error)
}

func (a *Accounts) DeleteTOTP(ctx context.Context, userID string) error {
	return internal(a.db.WithContext(ctx).Where("user_id = ?", userID).Delete(&totpRow{}).Error)
}

func (a *Accounts) CreatePasskey(ctx context.Context, p accounts.Passkey) error {
	row := passkeyRow{
		ID: p.ID, UserID: p.UserID, CredentialID: p.CredentialID, Name: p.Name,
		Credential: string(p.Credential), CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt,
	}
	err := a.db.WithContext(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return accounts.ErrPasskeyTaken
	}
	return internal(err)
}

func (a *Accounts) PasskeysOf(ctx context.Context, userID string) ([]accounts.Passkey, error) {
	var rows []passkeyRow
	if err := a.db.WithContext(ctx).Where("user_id = ?", userID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	keys := make([]accounts.Passkey, len(rows))
	for i, r := range rows {
		keys[i] = accounts.Passkey{
			ID: r.ID, UserID: r.UserID, CredentialID: r.CredentialID, Name: r.Name,
			Credential: []byte(r.Credential), CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt,
		}
	}
	return keys, nil
}

func (a *Accounts) PasskeyUsed(ctx context.Context, id string, credential []byte, at time.Time) error {
	err := a.db.WithContext(ctx).Model(&passkeyRow{}).Where("id = ?", id).
		Updates(map[string]any{"credential": string(credential), "last_used_at": at}).Error
	return internal(err)
}

func (a *Accounts) DeletePasskey(ctx context.Context, userID, id string) (bool, error) {
	res := a.db.WithContext(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&passkeyRow{})
	return res.RowsAffected == 1, internal(res.Error)
}

func (a *Accounts) CreateCeremony(ctx context.Context, c accounts.Ceremony, now time.Time) error {
	db := a.db.WithContext(ctx)
	if err := db.Where("expires_at < ?", now).Delete(&ceremonyRow{}).Error; err != nil {
		return internal(err)
	}
	var userID *string
	if c.UserID != "" {
		userID = &c.UserID
	}
	row := ceremonyRow{HandleHash: c.HandleHash, UserID: userID, Purpose: c.Purpose, State: string(c.State), Failures: c.Failures, ExpiresAt: c.ExpiresAt}
	return internal(db.Create(&row).Error)
}

func (a *Accounts) CeremonyByHash(ctx context.Context, hash string) (accounts.Ceremony, error) {
	var r ceremonyRow
	err := a.db.WithContext(ctx).Where("handle_hash = ?", hash).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return accounts.Ceremony{}, accounts.ErrChallengeInvalid
	}
	if err != nil {
		return accounts.Ceremony{}, internal(err)
	}
	var userID string
	if r.UserID != nil {
		userID = *r.UserID
	}
	return accounts.Ceremony{
		HandleHash: r.HandleHash, UserID: userID, Purpose: r.Purpose,
		State: []byte(r.State), Failures: r.Failures, ExpiresAt: r.ExpiresAt,
	}, nil
}

func (a *Accounts) SetCeremonyState(ctx context.Context, hash string, state []byte) error {
	res := a.db.WithContext(ctx).Model(&ceremonyRow{}).Where("handle_hash = ?", hash).Update("state", string(state))
	if res.Error == nil && res.RowsAffected == 0 {
		return accounts.ErrChallengeInvalid
	}
	return internal(res.Error)
}

func (a *Accounts) CeremonyFailed(ctx context.Context, hash string) (int, error) {
	db := a.db.WithContext(ctx)
	err := db.Model(&ceremonyRow{}).Where("handle_hash = ?", hash).
		Update("failures", gorm.Expr("failures + 1")).Error
	if err != nil {
		return 0, internal(err)
	}
	var r ceremonyRow
	err = db.Where("handle_hash = ?", hash).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, nil // another request ended it meanwhile
	}
	return r.Failures, internal(err)
}

func (a *Accounts) EndCeremony(ctx context.Context, hash string) (bool, error) {
	res := a.db.WithContext(ctx).Where("handle_hash = ?", hash).Delete(&ceremonyRow{})
	return res.RowsAffected == 1, internal(res.Error)
}

func (a *Accounts) MFARequiredRoles(ctx context.Context) ([]accounts.Role, error) {
	var rows []mfaRoleRow
	if err := a.db.WithContext(ctx).Order("role").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	roles := make([]accounts.Role, len(rows))
	for i, r := range rows {
		roles[i] = accounts.Role(r.Role)
	}
	return roles, nil
}

func (a *Accounts) SetMFARequiredRoles(ctx context.Context, roles []accounts.Role) error {
	return a.InTx(ctx, func(s accounts.Store) error {
		tx := s.(*Accounts).db
		if err := tx.Where("1 = 1").Delete(&mfaRoleRow{}).Error; err != nil {
			return internal(err)
		}
		for _, r := range roles {
			if err := tx.Create(&mfaRoleRow{Role: string(r)}).Error; err != nil {
				return internal(err)
			}
		}
		return nil
	})
}
