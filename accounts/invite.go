package accounts

import (
	"context"
	"time"
)

// Invite lets one person register with a given role. Instructors invite
// trainees; only admins invite staff and partners.
type Invite struct {
	ID        string
	CodeHash  string
	Role      Role
	Email     string // if set, only this address may use the invite
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// MaxInviteTTL bounds how long an unused invite stays valid.
const MaxInviteTTL = 30 * 24 * time.Hour

// NewInvite is what an inviter asks for.
type NewInvite struct {
	Role  Role
	Email string // optional
	TTL   time.Duration
}

// CreateInvite makes an invite on behalf of inviter and returns its code,
// which is shown once and stored only as a hash.
func (s *Service) CreateInvite(ctx context.Context, inviter User, in NewInvite) (Invite, string, error) {
	if !in.Role.Valid() {
		return Invite{}, "", ErrRoleInvalid
	}
	if in.Role != RoleTrainee && inviter.Role != RoleAdmin {
		return Invite{}, "", ErrInviteRoleNotYours
	}
	if in.Email != "" {
		email, err := NormalizeEmail(in.Email)
		if err != nil {
			return Invite{}, "", err
		}
		in.Email = email
	}
	if in.TTL <= 0 || in.TTL > MaxInviteTTL {
		in.TTL = 7 * 24 * time.Hour
	}
	code := newSecret()
	now := s.now().UTC()
	inv := Invite{
		ID: newID(), CodeHash: hashSecret(code), Role: in.Role, Email: in.Email,
		CreatedBy: inviter.ID, CreatedAt: now, ExpiresAt: now.Add(in.TTL),
	}
	if err := s.store.CreateInvite(ctx, inv); err != nil {
		return Invite{}, "", err
	}
	return inv, code, nil
}
