package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/sakimori/sakimori/fault"
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
	RevokedAt *time.Time
	UserID    string // a password reset: the account whose password it sets
}

// Status is where an invite stands at now: pending, used, revoked or expired.
func (inv Invite) Status(now time.Time) string {
	switch {
	case inv.UsedAt != nil:
		return "used"
	case inv.RevokedAt != nil:
		return "revoked"
	case !now.Before(inv.ExpiresAt):
		return "expired"
	}
	return "pending"
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

// MaxInvitesAtOnce bounds a bulk invite.
const MaxInvitesAtOnce = 100

var errTooManyInvites = fault.InvalidField("invites", "too_many_invites", "Invite at most 100 people at once.")

// CreateInvites makes several invites at once, all or none: one refused
// entry (its field named by its place, as in 2.email) refuses them all.
func (s *Service) CreateInvites(ctx context.Context, inviter User, list []NewInvite) ([]Invite, []string, error) {
	if len(list) == 0 {
		return nil, nil, fault.InvalidField("invites", "invites_required", "Give at least one invite.")
	}
	if len(list) > MaxInvitesAtOnce {
		return nil, nil, errTooManyInvites
	}
	invites, codes := make([]Invite, len(list)), make([]string, len(list))
	for i, in := range list {
		inv, code, err := s.PrepareInvite(inviter, in)
		if err != nil {
			return nil, nil, inEntry(i, err)
		}
		invites[i], codes[i] = inv, code
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		for _, inv := range invites {
			if err := tx.CreateInvite(ctx, inv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return invites, codes, nil
}

// inEntry names the entry of a list that a refusal is about.
func inEntry(i int, err error) error {
	f, ok := fault.As(err)
	if !ok {
		return err
	}
	c := *f
	c.Field = fmt.Sprintf("%d.%s", i, f.Field)
	if f.Field == "" {
		c.Field = fmt.Sprintf("%d", i)
	}
	c.Message = fmt.Sprintf("Invite %d: %s", i+1, f.Message)
	return &c
}

// Invites lists the latest invites, newest first, for staff to see which
// are pending, used, revoked or expired. Admins see every invite;
// instructors the trainee invites they may make and revoke.
func (s *Service) Invites(ctx context.Context, by User) ([]Invite, error) {
	all, err := s.store.ListInvites(ctx, 500)
	if err != nil || by.Role == RoleAdmin {
		return all, err
	}
	mine := []Invite{}
	for _, inv := range all {
		if inv.Role == RoleTrainee && inv.UserID == "" {
			mine = append(mine, inv)
		}
	}
	return mine, nil
}

// RevokeInvite withdraws an unused invite, so its code no longer works.
// Instructors revoke trainee invites; admins any. Revoking twice is not an
// error; a used invite cannot be revoked.
func (s *Service) RevokeInvite(ctx context.Context, by User, id string) (Invite, error) {
	inv, err := s.store.InviteByID(ctx, id)
	if err != nil {
		return Invite{}, err
	}
	if (inv.Role != RoleTrainee || inv.UserID != "") && by.Role != RoleAdmin {
		return Invite{}, ErrInviteRoleNotYours
	}
	switch {
	case inv.UsedAt != nil:
		return Invite{}, ErrInviteUsed
	case inv.RevokedAt != nil:
		return inv, nil
	}
	now := s.now().UTC()
	if err := s.store.RevokeInvite(ctx, id, now); err != nil {
		return Invite{}, err
	}
	inv.RevokedAt = &now
	return inv, nil
}
