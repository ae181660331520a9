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
	inv, code, err := s.PrepareInvite(inviter, in)
	if err != nil {
		return Invite{}, "", err
	}
	if err := s.store.CreateInvite(ctx, inv); err != nil {
		return Invite{}, "", err
	}
	return inv, code, nil
}
