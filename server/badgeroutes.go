package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
)

// badgeRoutes serves Open Badges. The issuer's documents, the status list
// and each badge (by its unguessable id) are public: verifiers and
// employers read them without an account.
func badgeRoutes(api fiber.Router, d Deps) {
	h := badgesAPI{badges: d.Badges, accounts: d.Accounts, cohorts: d.Cohorts, audit: d.Audit}
	if d.Labs != nil && d.Scoring != nil {
		h.earnings = &badgeEarnings{labs: d.Labs, scoring: d.Scoring, cohorts: d.Cohorts, badges: d.Badges, frameworks: d.Frameworks}
	}
	api.Get("/badges/issuer", h.issuer)
	api.Get("/badges/issuer/keys/:kid", h.key)
	api.Get("/badges/status/revocation", h.statusList)
	api.Get("/badges/credentials/:id", h.credential)
	api.Get("/badges/credentials/:id/jwt", h.credentialJWT)
	api.Get("/badges/credentials/:id/verification", h.verification)

	signedIn := d.Tokens.Require()
	api.Get("/me/badges", signedIn, h.mine)
	api.Get("/me/badges/:id", signedIn, h.myBadge)
	api.Post("/badges/credentials/:id/revoke", d.Tokens.Require(accounts.RoleAdmin), h.revoke)
	if d.Cohorts != nil {
		// Who runs the organisation is the cohorts service's to say.
		api.Get("/organisations/:id/badge-settings", signedIn, h.settings)
		api.Put("/organisations/:id/badge-settings", signedIn, h.putSettings)
	}
}
