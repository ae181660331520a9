package lti

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/url"
	"time"
)

// stateTTL is how long a login initiation waits for its launch.
const stateTTL = 10 * time.Minute

// Initiation is what a platform sends to start a launch (OIDC third-party
// login initiation).
type Initiation struct {
	Issuer        string
	ClientID      string // may be empty: the issuer's only platform
	LoginHint     string
	MessageHint   string
	TargetLinkURI string
	DeploymentID  string
}

// Login remembers a state and nonce for the launch to come and returns the
// platform's authorization URL to send the browser to.
func (s *Service) Login(ctx context.Context, in Initiation) (redirect, state string, err error) {
	if in.Issuer == "" || in.LoginHint == "" {
		return "", "", ErrClaimsMissing
	}
	p, err := s.store.PlatformFor(ctx, in.Issuer, in.ClientID)
	if err != nil {
		return "", "", unknownIssuer(err)
	}
	if p.Revoked {
		return "", "", ErrPlatformRevoked
	}
	if in.DeploymentID != "" && !p.Deploys(in.DeploymentID) {
		return "", "", ErrDeploymentUnknown
	}
	st := LoginState{State: random(), Nonce: random(), PlatformID: p.ID, ExpiresAt: s.now().Add(stateTTL)}
	if err := s.store.SaveState(ctx, st); err != nil {
		return "", "", err
	}
	q := url.Values{
		"scope": {"openid"}, "response_type": {"id_token"}, "response_mode": {"form_post"}, "prompt": {"none"},
		"client_id": {p.ClientID}, "redirect_uri": {s.LaunchURL()}, "login_hint": {in.LoginHint},
		"state": {st.State}, "nonce": {st.Nonce},
	}
	if in.MessageHint != "" {
		q.Set("lti_message_hint", in.MessageHint)
	}
	return p.AuthURL + "?" + q.Encode(), st.State, nil
}

func unknownIssuer(err error) error {
	if errors.Is(err, ErrPlatformNotFound) {
		return ErrIssuerUnknown
	}
	return err
}

func random() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
