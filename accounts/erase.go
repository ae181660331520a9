package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/sakimori/sakimori/fault"
)

// ErrEraseAdmin refuses erasing an admin: make them a trainee first, so
// the last-admin rule is kept by the one place that keeps it.
var ErrEraseAdmin = fault.New(fault.Conflict, "erase_admin_refused", "An admin's account cannot be erased; change its role first.")

// Pseudonym is what an erased person is called from then on: stable for
// the account (the same on every report), and telling nothing about them.
func Pseudonym(id string) string {
	sum := sha256.Sum256([]byte("sakimori erased person\x00" + id))
	return "Erased " + hex.EncodeToString(sum[:4])
}

// Erase removes what names a person, at a range admin's request (APPI and
// GDPR erasure): their email, display name, password, second factors,
// sessions, and the roster ids and invitations that carry their name or
// address. Their account id stays, and with it every record they made,
// now under a pseudonym, so cohort totals and scoreboards stay right. It
// cannot be undone. Erasing an erased person again changes nothing.
func (s *Service) Erase(ctx context.Context, adminID, id string) (User, error) {
	if adminID == id {
		return User{}, ErrSelfChange
	}
	var u User
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if u, err = tx.UserByID(ctx, id); err != nil {
			return err
		}
		if u.Role == RoleAdmin {
			return ErrEraseAdmin
		}
		name := Pseudonym(u.ID)
		if u.DisplayName == name {
			return nil // erased before
		}
		if err := tx.ErasePerson(ctx, u, name, s.now().UTC()); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, id)
		return err
	})
	return u, err
}
