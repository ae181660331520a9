package accounts

import (
	"context"
	"errors"
	"fmt"
)

// ExternalUser is an account an institution vouches for: it is made when
// the person first signs in through their organisation's identity
// provider, and has no password of its own.
type ExternalUser struct {
	Email       string
	DisplayName string // as the provider sends it; made unique here
	Role        Role
	// Then, if set, runs inside the transaction that makes the account,
	// with that transaction's store: linking the identity the account is
	// made for. Its error undoes the account, so none is left unlinked.
	Then func(ctx context.Context, tx Store, u User) error
}

// CreateExternalUser makes a passwordless account. An account with the
// email already existing is ErrEmailTaken: it is never taken over by email
// alone; its owner signs in to it and links the provider themselves. A
// display name already in use gets a number, since the person did not
// choose it here and cannot be asked.
func (s *Service) CreateExternalUser(ctx context.Context, in ExternalUser) (User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	if !in.Role.Valid() {
		return User{}, ErrRoleInvalid
	}
	base, err := CleanDisplayName(in.DisplayName, email)
	if err != nil {
		// What a provider sends may be unusable; the address's local part is not.
		base, err = CleanDisplayName("", email)
		if err != nil {
			return User{}, err
		}
	}
	for n := 1; n <= 20; n++ {
		name := base
		if n > 1 {
			name = truncateRunes(base, MaxDisplayNameLength-4) + fmt.Sprintf(" %d", n)
		}
		u := User{ID: newID(), Email: email, DisplayName: name, NameKeys: NameKeysOf(name), Role: in.Role, CreatedAt: s.now().UTC()}
		err := s.store.InTx(ctx, func(tx Store) error {
			if err := createUser(ctx, tx, u); err != nil || in.Then == nil {
				return err
			}
			return in.Then(ctx, tx, u)
		})
		if !errors.Is(err, ErrDisplayNameTaken) {
			return u, err
		}
	}
	return User{}, ErrDisplayNameTaken
}

// RaiseRole makes a trainee's account the role given, as an identity
// provider's role mapping says. It never lowers a role, nor changes a
// partner's or an admin's: those are the range admins' to set.
func (s *Service) RaiseRole(ctx context.Context, u User, to Role) (User, error) {
	if u.Role != RoleTrainee || to == RoleTrainee || !to.Valid() {
		return u, nil
	}
	u.Role = to
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return User{}, err
	}
	return u, nil
}

// ApplyMappedRole sets the role an identity provider's role mapping gives
// an account the provider manages: one made by a sign-in, with no password
// of its own, whose role follows the institution's records both ways.
// Only trainee and instructor are moved between; an admin or a partner
// (made so by an admin) and an account with a password are left as they
// are, except that a trainee is still raised as RaiseRole does.
func (s *Service) ApplyMappedRole(ctx context.Context, u User, to Role) (User, error) {
	managed := u.PasswordHash == ""
	if !managed || (u.Role != RoleTrainee && u.Role != RoleInstructor) || (to != RoleTrainee && to != RoleInstructor) {
		return s.RaiseRole(ctx, u, to)
	}
	if u.Role == to {
		return u, nil
	}
	u.Role = to
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return User{}, err
	}
	return u, nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
