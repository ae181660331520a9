package partners

import (
	"context"
	"strings"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
)

// Issue makes a token for an organisation the actor runs (its org admins
// and range admins) and returns it with its secret, which is never kept
// and cannot be shown again.
func (s *Service) Issue(ctx context.Context, a cohorts.Actor, orgID string, in NewToken) (Token, string, error) {
	if _, err := s.classes.ManagedOrganisation(ctx, a, orgID); err != nil {
		return Token{}, "", err
	}
	now := s.now().UTC()
	name, scopes, exp, err := in.clean(now)
	if err != nil {
		return Token{}, "", err
	}
	t := Token{ID: newID(), OrganisationID: orgID, Name: name, Scopes: scopes, CreatedBy: a.UserID, CreatedAt: now, ExpiresAt: exp}
	secret := newSecret()
	if err := s.store.CreateToken(ctx, t, HashSecret(secret)); err != nil {
		return Token{}, "", err
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: a.UserID, ActorRole: string(a.Role), Action: audit.PartnerTokenCreate,
		TargetKind: "organisation", TargetID: orgID, Detail: map[string]string{"token": t.ID, "name": name, "scopes": joinScopes(scopes)}})
	return t, secret, err
}

// Tokens lists an organisation's tokens, revoked and expired ones included.
func (s *Service) Tokens(ctx context.Context, a cohorts.Actor, orgID string) ([]Token, error) {
	if _, err := s.classes.ManagedOrganisation(ctx, a, orgID); err != nil {
		return nil, err
	}
	return s.store.Tokens(ctx, orgID)
}

// Revoke ends a token at once. Revoking a revoked token changes nothing.
func (s *Service) Revoke(ctx context.Context, a cohorts.Actor, orgID, id string) (Token, error) {
	if _, err := s.classes.ManagedOrganisation(ctx, a, orgID); err != nil {
		return Token{}, err
	}
	t, err := s.store.RevokeToken(ctx, orgID, id, s.now().UTC())
	if err != nil {
		return Token{}, err
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: a.UserID, ActorRole: string(a.Role), Action: audit.PartnerTokenRevoke,
		TargetKind: "organisation", TargetID: orgID, Detail: map[string]string{"token": t.ID, "name": t.Name}})
	return t, err
}

// touchEvery bounds how often a token's last use is written: a busy
// integration would otherwise write on every call.
const touchEvery = time.Minute

// Authenticate finds the live token a secret names and records its use.
// A revoked or expired token is refused with the token, so the refusal
// can be logged against its organisation.
func (s *Service) Authenticate(ctx context.Context, secret string) (Token, error) {
	if secret == "" {
		return Token{}, ErrTokenMissing
	}
	if !LooksLikeSecret(secret) {
		return Token{}, ErrTokenUnknown
	}
	t, err := s.store.TokenByHash(ctx, HashSecret(secret))
	if err != nil {
		return Token{}, err
	}
	now := s.now().UTC()
	switch {
	case t.RevokedAt != nil:
		return t, ErrTokenRevoked
	case !now.Before(t.ExpiresAt):
		return t, ErrTokenExpired
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
			return Token{}, err
		}
		t.LastUsedAt = &now
	}
	return t, nil
}

// CallLog is one page of the organisation's partner audit trail (token
// calls, refusals, tokens made and revoked), newest first, for the
// organisation's admins.
func (s *Service) CallLog(ctx context.Context, a cohorts.Actor, orgID string, f audit.Filter) (audit.Page, error) {
	if _, err := s.classes.ManagedOrganisation(ctx, a, orgID); err != nil {
		return audit.Page{}, err
	}
	f.TargetKind, f.TargetID = "organisation", orgID
	return s.audit.Read(ctx, f)
}

func joinScopes(scopes []Scope) string {
	s := make([]string, len(scopes))
	for i, sc := range scopes {
		s[i] = string(sc)
	}
	return strings.Join(s, " ")
}
