// Package oidc is the OpenID Connect half of signing in through an
// organisation: the authorization code flow with PKCE, state and nonce, on
// go-oidc and x/oauth2. Each provider's discovery document is cached, and
// its keys with it; a token signed with a key not yet seen makes the key
// set be fetched again, so a provider may rotate its keys at any time.
package oidc

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/fault"
)

// CallbackPath is where providers send people back, under the public URL.
const CallbackPath = "/api/v1/auth/sso/oidc/callback"

// discoveryTTL is how long a provider's discovery document is trusted
// before it is read again.
const discoveryTTL = time.Hour

// Flow implements sso.Flow for OpenID Connect.
type Flow struct {
	publicURL string
	client    *http.Client
	now       func() time.Time

	mu        sync.Mutex
	providers map[string]discovered // by issuer
}

type discovered struct {
	provider *gooidc.Provider
	at       time.Time
}

var _ sso.Flow = (*Flow)(nil)

// New makes the flow for a range reached at publicURL. client (nil: one
// with a 10-second timeout) makes every call to providers.
func New(publicURL string, client *http.Client, now func() time.Time) *Flow {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &Flow{publicURL: publicURL, client: client, now: now, providers: map[string]discovered{}}
}

// provider returns the issuer's discovery, from the cache when fresh.
func (f *Flow) provider(ctx context.Context, issuer string) (*gooidc.Provider, error) {
	f.mu.Lock()
	d, ok := f.providers[issuer]
	f.mu.Unlock()
	if ok && f.now().Sub(d.at) < discoveryTTL {
		return d.provider, nil
	}
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, f.client), issuer)
	var mismatch *gooidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		return nil, fault.Wrap(sso.ErrTokenUntrusted, err)
	}
	if err != nil {
		return nil, fault.Wrap(sso.ErrProviderDown, err)
	}
	f.mu.Lock()
	f.providers[issuer] = discovered{provider: p, at: f.now()}
	f.mu.Unlock()
	return p, nil
}

func (f *Flow) config(p sso.Provider, op *gooidc.Provider, secret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: secret, Endpoint: op.Endpoint(),
		RedirectURL: f.publicURL + CallbackPath,
		Scopes:      []string{gooidc.ScopeOpenID, "email", "profile"},
	}
}

// Begin sends the person to the provider's authorization endpoint with a
// fresh nonce and PKCE challenge; the request's id is the state.
func (f *Flow) Begin(ctx context.Context, p sso.Provider, secret string, r *sso.Request) (string, error) {
	op, err := f.provider(ctx, p.Issuer)
	if err != nil {
		return "", err
	}
	r.Nonce = sso.NewSecret()
	r.Verifier = oauth2.GenerateVerifier()
	return f.config(p, op, secret).AuthCodeURL(r.ID, gooidc.Nonce(r.Nonce), oauth2.S256ChallengeOption(r.Verifier)), nil
}

// Finish exchanges the code (with the PKCE verifier) and checks the ID
// token: signature by a key of the issuer's, issuer, audience, expiry,
// an accepted algorithm (never "none"), and the request's nonce.
func (f *Flow) Finish(ctx context.Context, p sso.Provider, secret string, r sso.Request, reply url.Values) (sso.Claims, error) {
	if e := reply.Get("error"); e != "" {
		return sso.Claims{}, fault.Wrap(sso.ErrProviderRefused, errors.New("the provider answered "+e+": "+reply.Get("error_description")))
	}
	code := reply.Get("code")
	if code == "" {
		return sso.Claims{}, fault.Wrap(sso.ErrProviderRefused, errors.New("the provider sent no code"))
	}
	op, err := f.provider(ctx, p.Issuer)
	if err != nil {
		return sso.Claims{}, err
	}
	ctx = gooidc.ClientContext(ctx, f.client)
	cfg := f.config(p, op, secret)
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(r.Verifier))
	if err != nil {
		return sso.Claims{}, fault.Wrap(sso.ErrExchangeFailed, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, errors.New("the token response had no ID token"))
	}
	idt, err := op.Verifier(&gooidc.Config{ClientID: p.ClientID, Now: f.now}).Verify(ctx, raw)
	var expired *gooidc.TokenExpiredError
	if errors.As(err, &expired) {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenExpired, err)
	}
	if err != nil {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, err)
	}
	if idt.Nonce == "" || idt.Nonce != r.Nonce {
		return sso.Claims{}, fault.Wrap(sso.ErrNonceMismatch, errors.New("the ID token's nonce is not this sign-in's"))
	}
	c, err := claimsOf(idt, p.RoleClaim)
	if err != nil {
		return sso.Claims{}, err
	}
	if c.Email == "" && op.UserInfoEndpoint() != "" {
		c, err = f.withUserInfo(ctx, p, op, cfg.TokenSource(ctx, tok), c)
		if err != nil {
			return sso.Claims{}, err
		}
	}
	c.IDToken = raw
	return c, nil
}

// withUserInfo adds what the userinfo endpoint says of the same subject;
// some providers keep email and groups out of the ID token.
func (f *Flow) withUserInfo(ctx context.Context, p sso.Provider, op *gooidc.Provider, ts oauth2.TokenSource, c sso.Claims) (sso.Claims, error) {
	info, err := op.UserInfo(ctx, ts)
	if err != nil {
		return sso.Claims{}, fault.Wrap(sso.ErrExchangeFailed, err)
	}
	if info.Subject != c.Subject {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, errors.New("userinfo names another subject than the ID token"))
	}
	var more map[string]any
	if err := info.Claims(&more); err != nil {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, err)
	}
	return mergeClaims(c, more, p.RoleClaim), nil
}
