package accounts

import "time"

// PrepareInvite checks and makes an invite without storing it: CreateInvite
// stores one, and a cohort's roster import stores many with rows of its own
// in one transaction. It returns the invite and its code, which is shown
// once; only the hash is kept.
func (s *Service) PrepareInvite(inviter User, in NewInvite) (Invite, string, error) {
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
	return Invite{
		ID: newID(), CodeHash: hashSecret(code), Role: in.Role, Email: in.Email,
		CreatedBy: inviter.ID, CreatedAt: now, ExpiresAt: now.Add(in.TTL),
	}, code, nil
}
