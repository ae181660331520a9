package accounts

import (
	"context"
	"errors"
	"time"
)

// A password reset is an invite bound to one account: an admin makes it,
// hands its link to the person, and the person sets a new password with
// it. Like every invite it works once, expires, can be revoked, and is
// kept only as a hash. Using it ends every sign-in session the account
// held, so whoever knew the old password is signed out.

// ResetTTL is how long a password reset stays valid.
const ResetTTL = 24 * time.Hour

// CreatePasswordReset makes a reset for the account id, on an admin's behalf.
func (s *Service) CreatePasswordReset(ctx context.Context, admin User, id string) (Invite, string, error) {
	if admin.Role != RoleAdmin {
		return Invite{}, "", ErrInviteRoleNotYours
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return Invite{}, "", err
	}
	code := newSecret()
	now := s.now().UTC()
	inv := Invite{
		ID: newID(), CodeHash: hashSecret(code), Role: u.Role, Email: u.Email, UserID: u.ID,
		CreatedBy: admin.ID, CreatedAt: now, ExpiresAt: now.Add(ResetTTL),
	}
	if err := s.store.CreateInvite(ctx, inv); err != nil {
		return Invite{}, "", err
	}
	return inv, code, nil
}

// ResetPassword sets a new password with a reset code and ends the
// account's sessions. The code is claimed in the same transaction, so a
// refused password leaves it usable.
func (s *Service) ResetPassword(ctx context.Context, code, password string) (User, error) {
	if code == "" {
		return User{}, ErrResetCodeInvalid
	}
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	hash, err := s.passwords.Hash(password)
	if err != nil {
		return User{}, err
	}
	now := s.now().UTC()
	var u User
	err = s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.ClaimInvite(ctx, hashSecret(code), now)
		if errors.Is(err, ErrInviteInvalid) || (err == nil && inv.UserID == "") {
			return ErrResetCodeInvalid // an invite to register resets nothing
		}
		if err != nil {
			return err
		}
		if u, err = tx.UserByID(ctx, inv.UserID); err != nil {
			return err
		}
		u.PasswordHash = hash
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return tx.RevokeUserSessions(ctx, u.ID, now)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}
