package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
)

// ssoRoutes serves signing in through organisations' identity providers,
// and their configuration by range admins.
func ssoRoutes(api fiber.Router, d Deps, s sessions, limit fiber.Handler) {
	a := ssoAPI{sso: d.SSO, sessions: s}
	api.Get("/auth/sso/providers", a.providers)
	api.Get("/auth/sso/oidc/callback", limit, settle, a.callback)
	api.Get("/auth/sso/saml/metadata", a.metadata)
	api.Post("/auth/sso/saml/acs", limit, settle, a.acs)
	api.Get("/auth/sso/:id/start", limit, settle, a.start)
	api.Post("/auth/sso/logout", a.logoutURL)
	signedIn := d.Tokens.Require()
	api.Get("/me/sso", signedIn, a.identities)
	api.Post("/me/sso/:id/link", signedIn, a.link)

	admin := d.Tokens.Require(accounts.RoleAdmin)
	ad := ssoAdminAPI{sso: d.SSO, cohorts: d.Cohorts, audit: d.Audit}
	api.Get("/organisations/:id/sso", admin, ad.settings)
	api.Put("/organisations/:id/sso", admin, ad.putSettings)
	api.Post("/organisations/:id/sso/providers", admin, ad.create)
	api.Put("/sso/providers/:id", admin, ad.update)
	api.Delete("/sso/providers/:id", admin, ad.remove)
}
