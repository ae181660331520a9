package lti

import (
	"context"
	"errors"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// signRS256 signs claims with the key, naming it by kid, as LTI requires.
func signRS256(sg signer, claims map[string]any) (string, error) {
	key, err := jwk.Import(sg.key)
	if err != nil {
		return "", err
	}
	if err := key.Set(jwk.KeyIDKey, sg.kid); err != nil {
		return "", err
	}
	tok := jwt.New()
	for k, v := range claims {
		if err := tok.Set(k, v); err != nil {
			return "", err
		}
	}
	out, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key))
	return string(out), err
}

// platformKeys is the platform's key set, through the cache: fetched at
// first use, refreshed on the cache's schedule, and fetched again at once
// when a token names a key the cached set lacks (the platform rotated).
func (s *Service) platformKeys(ctx context.Context, p Platform, kid string, fresh bool) (jwk.Set, error) {
	if !s.jwks.IsRegistered(ctx, p.JWKSURL) {
		if err := s.jwks.Register(ctx, p.JWKSURL, jwk.WithMinInterval(time.Minute)); err != nil {
			return nil, err
		}
	}
	if fresh {
		return s.jwks.Refresh(ctx, p.JWKSURL)
	}
	set, err := s.jwks.Lookup(ctx, p.JWKSURL)
	if err != nil {
		return nil, err
	}
	if _, ok := set.LookupKeyID(kid); !ok && kid != "" {
		return s.jwks.Refresh(ctx, p.JWKSURL)
	}
	return set, nil
}

// verify checks the id_token's signature against the platform's keys,
// its issuer, its audience and its times.
func (s *Service) verify(ctx context.Context, p Platform, raw string, kid string) (jwt.Token, error) {
	set, err := s.platformKeys(ctx, p, kid, false)
	if err != nil {
		return nil, errors.Join(ErrTokenUntrusted, err)
	}
	tok, err := jwt.Parse([]byte(raw), jwt.WithKeySet(set), jwt.WithValidate(true),
		jwt.WithIssuer(p.Issuer), jwt.WithAudience(p.ClientID), jwt.WithAcceptableSkew(30*time.Second),
		jwt.WithClock(jwt.ClockFunc(s.now)))
	switch {
	case err == nil:
		return tok, nil
	case errors.Is(err, jwt.TokenExpiredError()):
		return nil, ErrTokenExpired
	default:
		return nil, ErrTokenUntrusted
	}
}
