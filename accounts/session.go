package accounts

import (
	"context"
	"errors"
	"time"
)

// RefreshToken is one link in a sign-in session's chain. Each refresh uses
// up the presented token and issues the next in the same family; presenting
// a used token means it was stolen or replayed, so the family is revoked.
type RefreshToken struct {
	ID        string
	FamilyID  string
	UserID    string
	Hash      string // sha256 of the token; the token itself is never stored
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	UserAgent string
	IP        string
}

// Client describes where a request came from, recorded with each session.
type Client struct {
	UserAgent string
	IP        string
}

// StartSession begins a sign-in session for u and returns its first token.
func (s *Service) StartSession(ctx context.Context, u User, c Client) (string, error) {
	return s.issueRefresh(ctx, u.ID, newID(), c)
}

// Refresh exchanges a refresh token for the next one and returns the user it
// belongs to. A token presented twice ends the whole session family.
func (s *Service) Refresh(ctx context.Context, token string, c Client) (User, string, error) {
	if token == "" {
		return User{}, "", ErrSessionInvalid
	}
	now := s.now().UTC()
	t, err := s.store.RefreshTokenByHash(ctx, hashSecret(token))
	if err != nil {
		return User{}, "", err
	}
	if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
		return User{}, "", ErrSessionInvalid
	}
	if t.UsedAt != nil {
		return User{}, "", s.revokeForReuse(ctx, t.FamilyID, now)
	}
	won, err := s.store.MarkRefreshTokenUsed(ctx, t.ID, now)
	if err != nil {
		return User{}, "", err
	}
	if !won { // another request used it between our read and our write
		return User{}, "", s.revokeForReuse(ctx, t.FamilyID, now)
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err != nil {
		return User{}, "", err
	}
	if u.Disabled() {
		_ = s.store.RevokeRefreshFamily(ctx, t.FamilyID, now)
		return User{}, "", ErrAccountDisabled
	}
	if err := s.checkEnrolled(ctx, u); err != nil {
		_ = s.store.RevokeRefreshFamily(ctx, t.FamilyID, now)
		return User{}, "", err
	}
	next, err := s.issueRefresh(ctx, u.ID, t.FamilyID, c)
	if err != nil {
		return User{}, "", err
	}
	return u, next, nil
}

// EndSession signs out: the token's whole family is revoked. An unknown or
// already-ended session is not an error; signing out twice is harmless.
func (s *Service) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	t, err := s.store.RefreshTokenByHash(ctx, hashSecret(token))
	if errors.Is(err, ErrSessionInvalid) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.RevokeRefreshFamily(ctx, t.FamilyID, s.now().UTC())
}

func (s *Service) revokeForReuse(ctx context.Context, family string, now time.Time) error {
	if err := s.store.RevokeRefreshFamily(ctx, family, now); err != nil {
		return errors.Join(ErrSessionReused, err)
	}
	return ErrSessionReused
}

func (s *Service) issueRefresh(ctx context.Context, userID, family string, c Client) (string, error) {
	token := newSecret()
	now := s.now().UTC()
	err := s.store.CreateRefreshToken(ctx, RefreshToken{
		ID: newID(), FamilyID: family, UserID: userID, Hash: hashSecret(token),
		CreatedAt: now, ExpiresAt: now.Add(s.refreshTTL),
		UserAgent: truncate(c.UserAgent, 255), IP: truncate(c.IP, 64),
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
