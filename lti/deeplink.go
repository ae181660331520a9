package lti

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// DeepLinkReply is the signed LtiDeepLinkingResponse and where the
// browser posts it (as the form field JWT).
type DeepLinkReply struct {
	ReturnURL string
	JWT       string
}

// DeepLink answers a deep linking request with one ltiResourceLink to the
// assignment, with a line item for its grades. The ticket must be the
// instructor's own, used once, and the assignment of the cohort bound to
// the course that asked: an assignment of another course or platform is
// refused. The reply's audience is that platform alone.
func (s *Service) DeepLink(ctx context.Context, userID, ticket, assignmentID string) (DeepLinkReply, error) {
	plain, err := s.sealer.Open(ticket, "lti-deep-link:"+userID)
	if err != nil {
		return DeepLinkReply{}, ErrLaunchNotDeepLink
	}
	var t ticketClaims
	if err := json.Unmarshal([]byte(plain), &t); err != nil {
		return DeepLinkReply{}, ErrLaunchNotDeepLink
	}
	p, err := s.store.Platform(ctx, t.PlatformID)
	if err != nil {
		return DeepLinkReply{}, err
	}
	if p.Revoked {
		return DeepLinkReply{}, ErrPlatformRevoked
	}
	b, ok, err := s.store.Binding(ctx, p.ID, t.ContextID)
	if err != nil {
		return DeepLinkReply{}, err
	}
	if !ok {
		return DeepLinkReply{}, ErrPlatformMismatch
	}
	title, ok, err := s.classes.AssignmentIn(ctx, b.CohortID, assignmentID)
	if err != nil {
		return DeepLinkReply{}, err
	}
	if !ok {
		return DeepLinkReply{}, ErrPlatformMismatch
	}
	if fresh, err := s.store.Remember(ctx, "lti-dl:"+t.Nonce, s.now().Add(24*time.Hour)); err != nil {
		return DeepLinkReply{}, err
	} else if !fresh {
		return DeepLinkReply{}, ErrLaunchNotDeepLink
	}
	link := ResourceLink{PlatformID: p.ID, ResourceID: uuid.NewString(), AssignmentID: assignmentID, ContextID: t.ContextID}
	if err := s.store.SaveLink(ctx, link); err != nil {
		return DeepLinkReply{}, err
	}
	now := s.now()
	claims := map[string]any{
		"iss": p.ClientID, "aud": []string{p.Issuer}, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": random(), claimDeployment: t.DeploymentID, claimMessageType: DeepLinkingReply, claimVersion: Version,
		claimDLItems: []map[string]any{{
			"type": "ltiResourceLink", "title": title, "url": s.LaunchURL(),
			"custom":   map[string]string{"resource": link.ResourceID},
			"lineItem": map[string]any{"scoreMaximum": 100, "label": title, "resourceId": link.ResourceID},
		}},
	}
	if t.Settings.Data != "" {
		claims[claimDLData] = t.Settings.Data
	}
	signed, err := s.sign(ctx, claims)
	if err != nil {
		return DeepLinkReply{}, err
	}
	return DeepLinkReply{ReturnURL: t.Settings.ReturnURL, JWT: signed}, nil
}

// IsOwnReply says whether raw is a deep-link reply this range signed that
// has not expired, so the page that carries it to the platform carries
// nothing else.
func (s *Service) IsOwnReply(ctx context.Context, raw string) bool {
	set, err := s.JWKS(ctx)
	if err != nil {
		return false
	}
	keys, err := jwk.Parse(set)
	if err != nil {
		return false
	}
	tok, err := jwt.Parse([]byte(raw), jwt.WithKeySet(keys), jwt.WithValidate(true), jwt.WithClock(jwt.ClockFunc(s.now)))
	if err != nil {
		return false
	}
	var kind string
	return tok.Get(claimMessageType, &kind) == nil && kind == DeepLinkingReply
}
