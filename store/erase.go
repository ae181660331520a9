package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/accounts"
)

// ErasePerson scrubs a person from every table that names them, in one
// transaction. The scoring records, the audit log and cohort memberships
// keep the account id, which names nobody once the account is scrubbed.
func (a *Accounts) ErasePerson(ctx context.Context, u accounts.User, pseudonym string, at time.Time) error {
	return internal(a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		steps := []struct {
			sql  string
			args []any
		}{
			{`UPDATE users SET email = ?, display_name = ?, display_name_key_folded = '', display_name_key_shaped = '',
				password_hash = '', disabled_at = COALESCE(disabled_at, ?), erased_at = ? WHERE id = ?`,
				[]any{"erased-" + u.ID + "@erased.invalid", pseudonym, at, at, u.ID}},
			{`DELETE FROM refresh_tokens WHERE user_id = ?`, []any{u.ID}},
			{`DELETE FROM mfa_totp WHERE user_id = ?`, []any{u.ID}},
			{`DELETE FROM passkeys WHERE user_id = ?`, []any{u.ID}},
			{`DELETE FROM mfa_ceremonies WHERE user_id = ?`, []any{u.ID}},
			{`UPDATE cohort_members SET sourced_id = '' WHERE user_id = ?`, []any{u.ID}},
			{`UPDATE cohort_invitations SET email = '', given_name = '', family_name = '', sourced_id = '' WHERE email = ?`, []any{u.Email}},
			{`UPDATE invites SET email = '' WHERE email = ?`, []any{u.Email}},
		}
		for _, s := range steps {
			if err := tx.Exec(s.sql, s.args...).Error; err != nil {
				return err
			}
		}
		return nil
	}))
}
