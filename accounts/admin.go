package accounts

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// UserQuery picks a page of accounts, optionally those whose email or
// display name contains Search (case-insensitive).
type UserQuery struct {
	Search string
	Limit  int
	Offset int
}

// maxSearchLength bounds a search: longer matches nothing an account holds.
const maxSearchLength = 254

var errSearchTooLong = fault.InvalidField("q", "search_too_long", "Search for at most 254 characters.")

// Users lists accounts, newest first, with the total that match.
func (s *Service) Users(ctx context.Context, q UserQuery) ([]User, int64, error) {
	if len(q.Search) > maxSearchLength {
		return nil, 0, errSearchTooLong
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	return s.store.ListUsers(ctx, q)
}

// UserChange is what an admin changes on an account: its role, whether it
// is disabled, or both. Nil leaves a field as it is.
type UserChange struct {
	Role     *Role
	Disabled *bool
}

var errNoChange = fault.InvalidField("role", "change_required", "Give a role, disabled, or both.")

// ChangeUser applies an admin's change to another account. An admin cannot
// change their own role or disable themselves (so nobody locks themselves
// out by a slip), and the last enabled admin stays one. Disabling ends
// every sign-in session the account holds.
func (s *Service) ChangeUser(ctx context.Context, adminID, id string, ch UserChange) (User, error) {
	if ch.Role == nil && ch.Disabled == nil {
		return User{}, errNoChange
	}
	if ch.Role != nil && !ch.Role.Valid() {
		return User{}, ErrRoleInvalid
	}
	if adminID == id {
		return User{}, ErrSelfChange
	}
	now := s.now().UTC()
	var u User
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if u, err = tx.UserByID(ctx, id); err != nil {
			return err
		}
		if err := keepAnAdmin(ctx, tx, u, ch); err != nil {
			return err
		}
		disabling := ch.Disabled != nil && *ch.Disabled && !u.Disabled()
		apply(&u, ch, now)
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if disabling {
			return tx.RevokeUserSessions(ctx, u.ID, now)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// keepAnAdmin refuses a change that would leave no enabled admin.
func keepAnAdmin(ctx context.Context, tx Store, u User, ch UserChange) error {
	wasAdmin := u.Role == RoleAdmin && !u.Disabled()
	demoted := ch.Role != nil && *ch.Role != RoleAdmin
	disabled := ch.Disabled != nil && *ch.Disabled
	if !wasAdmin || (!demoted && !disabled) {
		return nil
	}
	n, err := tx.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastAdmin
	}
	return nil
}

func apply(u *User, ch UserChange, now time.Time) {
	if ch.Role != nil {
		u.Role = *ch.Role
	}
	switch {
	case ch.Disabled == nil:
	case *ch.Disabled && u.DisabledAt == nil:
		u.DisabledAt = &now
	case !*ch.Disabled:
		u.DisabledAt = nil
	}
}
