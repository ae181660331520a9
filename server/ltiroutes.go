package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
)

// ltiRoutes serves the range as an LTI 1.3 tool, and its platforms'
// registration by range admins.
func ltiRoutes(api fiber.Router, d Deps, s sessions, limit fiber.Handler) {
	a := ltiAPI{lti: d.LTI, sessions: s, audit: d.Audit}
	api.Get("/lti/login", limit, settle, a.login)
	api.Post("/lti/login", limit, settle, a.login)
	api.Post("/lti/launch", limit, settle, a.launch)
	api.Get("/lti/enter", limit, settle, a.enter)
	api.Get("/lti/jwks", a.jwks)
	api.Get("/lti/register/:token", limit, settle, a.register)
	api.Post("/lti/deep-link", d.Tokens.Require(accounts.RoleInstructor), a.deepLink)
	api.Post("/lti/deep-link/reply", a.carryReply)

	admin := d.Tokens.Require(accounts.RoleAdmin)
	ad := ltiAdminAPI{lti: d.LTI, cohorts: d.Cohorts, audit: d.Audit}
	api.Get("/organisations/:id/lti/platforms", admin, ad.list)
	api.Post("/organisations/:id/lti/platforms", admin, ad.create)
	api.Post("/organisations/:id/lti/registration-url", admin, ad.registrationURL)
	api.Post("/lti/platforms/:id/revoke", admin, ad.revoke)
	api.Post("/lti/platforms/:id/grades", admin, ad.publish)
	api.Post("/lti/platforms/:id/roster", admin, ad.roster)
	api.Post("/lti/keys", admin, ad.rotate)
}
