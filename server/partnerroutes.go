package server

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// partnerRoutes serves the partner API under its own prefix, with its own
// tokens; the endpoints org admins manage those tokens from; and a
// person's own data, the other side of what partners read.
func partnerRoutes(app *fiber.App, api fiber.Router, d Deps) {
	signedIn := d.Tokens.Require()
	pt := partnerTokensAPI{partners: d.Partners}
	api.Get("/organisations/:id/partner-tokens", signedIn, pt.list)
	api.Post("/organisations/:id/partner-tokens", signedIn, pt.create)
	api.Delete("/organisations/:id/partner-tokens/:token", signedIn, pt.revoke)
	api.Get("/organisations/:id/partner-calls", signedIn, pt.calls)
	me := myDataAPI{accounts: d.Accounts, cohorts: d.Cohorts, labs: d.Labs, scoring: d.Scoring, log: d.Logger}
	api.Get("/me/export", signedIn, me.export)

	perMinute := d.Options.PartnerPerMinute
	if perMinute < 1 {
		perMinute = 600
	}
	gate := partnerGate{partners: d.Partners, audit: d.Audit}
	p := partnersAPI{partners: d.Partners, labs: d.Labs, log: d.Logger}
	pv := app.Group("/api/partner/v1", gate.admit, partnerLimiter(perMinute))
	pv.Get("/cohorts", p.cohorts)
	pv.Get("/cohorts/:id", p.cohort)
	pv.Get("/cohorts/:id/members", p.members)
	pv.Post("/cohorts/:id/members", p.addMember)
	pv.Delete("/cohorts/:id/members/:user", p.removeMember)
	pv.Get("/cohorts/:id/assignments", p.assignments)
	pv.Get("/cohorts/:id/summary", p.summary)
	pv.Get("/cohorts/:id/exports/:kind", p.export)
	pv.Get("/assignments/:id/status", p.assignmentStatus)
	pv.Get("/trainees/:id/progress", p.progress)
	pv.Get("/records", p.feed)
	ts := partnerTranscriptsAPI{frameworks: d.Frameworks, partners: d.Partners, labs: d.Labs, accounts: d.Accounts, writeTimeout: d.Options.WriteTimeout, log: d.Logger, now: time.Now}
	pv.Get("/trainees/:id/transcript", ts.trainee)
	pv.Get("/trainees/:id/transcript/pdf", ts.traineePDF)
	pv.Get("/cohorts/:id/competencies", ts.cohort)
	pv.Get("/cohorts/:id/competencies/layer", ts.layer)
	pv.Get("/cohorts/:id/archive", ts.archive)
	pv.Use(apiNotFound)
}
