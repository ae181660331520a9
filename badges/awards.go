package badges

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Grant records an award for each achievement the trainee has earned and
// does not hold yet, and returns all the trainee's awards. Granting again
// changes nothing: a trainee holds one award per achievement, frozen as it
// was first earned.
func (s *Service) Grant(ctx context.Context, userID, holder string, earned []Achievement) ([]StoredAward, error) {
	held, err := s.store.AwardsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	have := make(map[[2]string]bool, len(held))
	for _, a := range held {
		have[[2]string{a.Achievement.Kind, a.Achievement.Ref}] = true
	}
	added := false
	for _, ach := range earned {
		if have[[2]string{ach.Kind, ach.Ref}] {
			continue
		}
		a := StoredAward{ID: uuid.NewString(), UserID: userID, Achievement: ach, Holder: holder, IssuedAt: s.now().UTC().Truncate(time.Second)}
		if _, err := s.store.AddAward(ctx, a); err != nil {
			return nil, err
		}
		added = true
	}
	if !added {
		return held, nil
	}
	return s.store.AwardsOf(ctx, userID)
}

// Awards are the trainee's awards, without granting anything.
func (s *Service) Awards(ctx context.Context, userID string) ([]StoredAward, error) {
	return s.store.AwardsOf(ctx, userID)
}

// Award is one award by its id, for anyone who has its link: the id is
// unguessable, and the holder shares it to show the badge.
func (s *Service) Award(ctx context.Context, id string) (StoredAward, error) {
	if _, err := uuid.Parse(id); err != nil {
		return StoredAward{}, ErrNotFound
	}
	a, err := s.store.Award(ctx, id)
	if errors.Is(err, ErrAwardNotFound) {
		return StoredAward{}, ErrNotFound
	}
	return a, err
}

// AwardOf is one of the trainee's own awards; anyone else's is not found.
func (s *Service) AwardOf(ctx context.Context, userID, id string) (StoredAward, error) {
	a, err := s.Award(ctx, id)
	if err != nil {
		return StoredAward{}, err
	}
	if a.UserID != userID {
		return StoredAward{}, ErrNotFound
	}
	return a, nil
}

// Credential is the award's OpenBadgeCredential with its embedded proof.
func (s *Service) Credential(ctx context.Context, a StoredAward) (map[string]any, error) {
	iss, err := s.issuer(ctx)
	if err != nil {
		return nil, err
	}
	// The same award and key always sign to the same credential.
	return s.signed.get("credential "+iss.Kid+" "+a.ID, func() (map[string]any, error) { return iss.Credential(a.award()) })
}

// JWT is the award's credential in its VC-JOSE-COSE form.
func (s *Service) JWT(ctx context.Context, a StoredAward) (string, error) {
	iss, err := s.issuer(ctx)
	if err != nil {
		return "", err
	}
	return iss.JWT(a.award())
}

// Verification is what the public verification page shows.
type Verification struct {
	Valid       bool        `json:"valid"`
	Revoked     bool        `json:"revoked"`
	RevokedAt   *time.Time  `json:"revoked_at,omitempty"`
	Problem     string      `json:"problem,omitempty"` // why the proof did not check, when it did not
	Achievement Achievement `json:"-"`
	Holder      string      `json:"holder"`
	IssuedAt    time.Time   `json:"issued_at"`
	Issuer      string      `json:"issuer"`
}

// Verify checks the award's credential as the range issues it now: its
// proof against the issuer's published keys, and its revocation.
func (s *Service) Verify(ctx context.Context, a StoredAward) (Verification, error) {
	cred, err := s.Credential(ctx, a)
	if err != nil {
		return Verification{}, err
	}
	keys, err := s.PublicKeys(ctx)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{Revoked: a.RevokedAt != nil, RevokedAt: a.RevokedAt, Achievement: a.Achievement,
		Holder: a.Holder, IssuedAt: a.IssuedAt, Issuer: s.name}
	if err := s.urls.Verify(cred, keys); err != nil {
		v.Problem = err.Error()
	}
	v.Valid = v.Problem == "" && !v.Revoked
	return v, nil
}

// Revoke revokes an award; by is the admin who did.
func (s *Service) Revoke(ctx context.Context, id, by string) (StoredAward, error) {
	a, err := s.Award(ctx, id)
	if err != nil {
		return StoredAward{}, err
	}
	switch err := s.store.Revoke(ctx, a.ID, by, s.now().UTC()); {
	case errors.Is(err, ErrAwardNotFound):
		return StoredAward{}, ErrNotFound
	case errors.Is(err, ErrAlreadyRevoked):
		return StoredAward{}, ErrRevoked
	case err != nil:
		return StoredAward{}, err
	}
	return s.store.Award(ctx, a.ID)
}

// RoleThreshold is an organisation's threshold, or the default.
func (s *Service) RoleThreshold(ctx context.Context, orgID string) (int, error) {
	p, ok, err := s.store.RoleThreshold(ctx, orgID)
	if err != nil || !ok {
		return DefaultRoleThreshold, err
	}
	return p, nil
}

// SetRoleThreshold sets an organisation's threshold (1 to 100 percent).
// Who may is the caller's to check.
func (s *Service) SetRoleThreshold(ctx context.Context, orgID string, percent int) error {
	if percent < 1 || percent > 100 {
		return ErrThresholdRange
	}
	return s.store.SetRoleThreshold(ctx, orgID, percent, s.now().UTC())
}

// ThresholdFor is the threshold a trainee is held to: the strictest of
// their organisations', so no organisation lowers another's bar under the
// range's one signature; the default when they belong to none that set one.
func (s *Service) ThresholdFor(ctx context.Context, orgIDs []string) (int, error) {
	best, set := 0, false
	for _, id := range orgIDs {
		p, ok, err := s.store.RoleThreshold(ctx, id)
		if err != nil {
			return 0, err
		}
		if ok && p > best {
			best, set = p, true
		}
	}
	if !set {
		return DefaultRoleThreshold, nil
	}
	return best, nil
}
