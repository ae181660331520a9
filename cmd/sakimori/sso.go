package main

import (
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/accounts/sso/oidc"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/store"
)

// newSSO makes the service people sign in through their organisations'
// identity providers with, speaking OpenID Connect.
func newSSO(publicURL string, db *store.DB, people *accounts.Service, secrets config.Secrets) *sso.Service {
	svc := sso.NewService(db.SSO(), people, config.SSOSealKey(secrets), time.Now)
	svc.UseFlow(sso.OIDC, oidc.New(publicURL, nil, time.Now))
	return svc
}
