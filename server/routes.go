package server

import (
	"time"

	fiberws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/server/terminal"
)

// routes is the one route table: every endpoint the server answers is here.
func routes(app *fiber.App, d Deps) {
	app.Use(recover.New())
	app.Use(requestID, accessLog(d.Logger), newHTTPMetrics(d.Metrics).middleware)
	app.Use(auditRequest)
	uploads := uploadRoutes{}
	app.Use(uploads.boundBodies(int64(d.Options.BodyLimit)))
	app.Use(securityHeaders(d.Options.SecureCookies))
	if cors := corsFor(d.Options.CORSOrigins); cors != nil {
		app.Use(cors)
	}

	app.Get("/healthz", healthz)
	app.Get("/readyz", readyz(d.Checks))
	app.Get("/metrics", metricsOnPublicPort(d.Metrics, d.Options))

	api := app.Group("/api/v1")
	// Instructors see their classes' trainees only.
	api.Use(supervision(d.Cohorts))

	api.Get("/openapi.json", contract) // describes every route in this table
	api.Get("/scenario-schema.json", scenarioSchema)
	// A folder to validate may carry files up to a bundle's limits, as a
	// draft does; the handler bounds what it reads.
	uploads["/api/v1/scenario-validate"] = true
	api.Post("/scenario-validate", d.Tokens.Require(accounts.RoleInstructor), scenarioValidate(bundle.DefaultLimits.MaxFolderJSON()))
	api.Get("/scenario-templates", d.Tokens.Require(accounts.RoleInstructor), scenarioTemplates(d.Templates, labImages(d.Authoring)))
	signIn := credentialLimiter(d.Options.LoginPerMinute)
	sameSite := sameOrigin(d.Options.PublicURL, d.Options.CORSOrigins)
	s := sessions{accounts: d.Accounts, tokens: d.Tokens, opt: d.Options, sso: d.SSO}

	api.Get("/setup", s.setupStatus)
	api.Post("/setup", signIn, settle, s.setup)
	api.Post("/auth/register", signIn, settle, s.register)
	api.Post("/auth/login", signIn, settle, s.login)
	api.Post("/auth/refresh", sameSite, s.refresh)
	api.Post("/auth/logout", sameSite, s.logout)

	signedIn := d.Tokens.Require()
	api.Get("/me", signedIn, s.me)
	// The language and time zone the person reads the range in.
	api.Put("/me/preferences", signedIn, preferencesAPI{accounts: d.Accounts}.put)

	// Second factors: the sign-in step that follows a password, the
	// person's own authenticator app and passkeys, and the admins' policy.
	api.Post("/auth/mfa/totp", signIn, settle, s.finishTOTP)
	api.Post("/auth/mfa/passkey/begin", signIn, settle, s.beginPasskey)
	api.Post("/auth/mfa/passkey/finish", signIn, settle, s.finishPasskey)
	api.Post("/auth/passkey/begin", ceremonyLimiter(d.Options.LoginPerMinute), settle, s.beginPasskeyOnly)
	api.Post("/auth/passkey/finish", signIn, settle, s.finishPasskeyOnly)
	enrolling := d.Tokens.RequireOrEnrolling()
	m := mfaAPI{accounts: d.Accounts}
	api.Get("/me/mfa", enrolling, m.status)
	api.Post("/me/mfa/totp", enrolling, m.beginTOTP)
	api.Post("/me/mfa/totp/confirm", enrolling, signIn, settle, m.confirmTOTP)
	api.Delete("/me/mfa/totp", enrolling, signIn, settle, m.removeTOTP)
	api.Post("/me/mfa/passkeys/begin", enrolling, m.beginPasskey)
	api.Post("/me/mfa/passkeys/finish", enrolling, m.finishPasskey)
	api.Delete("/me/mfa/passkeys/:id", enrolling, signIn, settle, m.removePasskey)
	policy := mfaPolicyAPI{accounts: d.Accounts, audit: d.Audit}
	api.Get("/admin/mfa-policy", d.Tokens.Require(accounts.RoleAdmin), policy.get)
	api.Put("/admin/mfa-policy", d.Tokens.Require(accounts.RoleAdmin), policy.put)

	u := users{accounts: d.Accounts, audit: d.Audit}
	api.Get("/users", d.Tokens.Require(accounts.RoleAdmin), u.list)
	api.Post("/users", d.Tokens.Require(accounts.RoleAdmin), u.create)
	api.Post("/invites", d.Tokens.Require(accounts.RoleInstructor), u.invite)

	// Admin: accounts, invites and password resets.
	api.Patch("/users/:id", d.Tokens.Require(accounts.RoleAdmin), u.change)
	api.Post("/users/:id/password-reset", d.Tokens.Require(accounts.RoleAdmin), u.passwordReset)
	api.Post("/users/:id/erase", d.Tokens.Require(accounts.RoleAdmin), u.erase)
	api.Get("/invites", d.Tokens.Require(accounts.RoleInstructor), u.invites)
	api.Delete("/invites/:id", d.Tokens.Require(accounts.RoleInstructor), u.revokeInvite)
	api.Post("/auth/password-reset", signIn, settle, u.resetPassword)

	if d.Labs != nil {
		l := labsAPI{labs: d.Labs, accounts: d.Accounts, streams: terminal.NewSessions(streamsPerUser), audit: d.Audit, writeTimeout: d.Options.WriteTimeout,
			authoring: d.Authoring, cohorts: d.Cohorts}
		api.Get("/scenarios", signedIn, l.scenarios)
		api.Get("/scenarios/:id", signedIn, l.scenario)
		api.Get("/scenarios/:id/notes", d.Tokens.Require(accounts.RoleInstructor), l.notes)
		api.Post("/labs", signedIn, userLimiter("launch", d.Options.LaunchPerMinute), settle, l.launch)
		api.Get("/labs", signedIn, l.list)
		api.Get("/labs/:id", signedIn, l.instanceOp(getLab))
		api.Get("/labs/:id/events", signedIn, l.events)
		api.Get("/labs/:id/health", signedIn, l.health)
		api.Post("/labs/:id/extend", signedIn, l.instanceOp(l.byOthersAudited(audit.LabExtend, extendLab)))
		api.Post("/labs/:id/reset", signedIn, userLimiter("reset", d.Options.LaunchPerMinute), settle, l.instanceOp(l.byOthersAudited(audit.LabReset, resetLab)))
		api.Delete("/labs/:id", signedIn, l.instanceOp(l.byOthersAudited(audit.LabStop, stopLab)))

		shells := terminal.NewShells(d.Options.TerminalGrace)
		t := terminalAPI{log: d.Logger, labs: d.Labs, tickets: terminal.NewTickets(ticketTTL, nil),
			sessions: terminal.NewSessions(terminalsPerPerson), shells: shells, origins: newOrigins(d.Options.PublicURL, d.Options.CORSOrigins), audit: d.Audit}
		api.Post("/labs/:id/terminal", signedIn, t.ticket)
		api.Get("/labs/:id/terminal/ws", t.upgrade, fiberws.New(t.serve, fiberws.Config{HandshakeTimeout: 10 * time.Second}))

		rec := recordingsAPI{labs: d.Labs, audit: d.Audit}
		api.Get("/labs/:id/recordings", signedIn, rec.list)
		api.Get("/recordings/:id", signedIn, rec.cast)

		// Staff see a trainee's lab as the trainee has it, and watch the
		// trainee's terminal read-only.
		staff := d.Tokens.Require(accounts.RoleInstructor)
		sl := staffLabsAPI{log: d.Logger, labs: l, scoring: d.Scoring, accounts: d.Accounts, shells: shells,
			tickets: terminal.NewTickets(ticketTTL, nil), origins: t.origins, audit: d.Audit}
		api.Get("/staff/labs/:id", staff, sl.lab)
		api.Post("/staff/labs/:id/shadow", staff, sl.shadowTicket)
		api.Get("/staff/labs/:id/shadow/ws", sl.upgradeShadow, fiberws.New(sl.shadow, shadowHandshake))

		w := newLabWebAPI(d.Labs, d.Options.LabWebDeadline)
		api.Post("/labs/:id/web", signedIn, w.open)
		app.All(webPrefix+":cap/*", w.admit, webLimiter(webRequestsPerMinute), settle, w.serve)
	}
	if d.Scoring != nil {
		sc := scoringAPI{scoring: d.Scoring, audit: d.Audit, names: traineeNames{accounts: d.Accounts, labs: d.Labs}}
		api.Get("/labs/:id/objectives", signedIn, sc.objectives)
		api.Post("/labs/:id/objectives/:objective", signedIn, userLimiter("submit", d.Options.SubmitPerMinute), settle, sc.submit)
		api.Post("/labs/:id/objectives/:objective/check", signedIn, userLimiter("submit", d.Options.SubmitPerMinute), settle, sc.check)
		api.Post("/labs/:id/hints/:hint", signedIn, sc.hint)
		api.Post("/labs/:id/objectives/:objective/walkthrough", signedIn, sc.walkthrough)
		api.Get("/me/score", signedIn, sc.myScore)
		api.Get("/scoreboard", signedIn, sc.scoreboard)
		api.Get("/scoring/suspicions", d.Tokens.Require(accounts.RoleInstructor), sc.suspicions)
		api.Get("/scoring/trainees/:trainee", d.Tokens.Require(accounts.RoleInstructor), sc.trainee)
	}
	if d.Labs != nil {
		ts := typedSessionsAPI{labs: d.Labs, audit: d.Audit}
		api.Get("/scoring/trainees/:trainee/terminal", d.Tokens.Require(accounts.RoleInstructor), ts.list)
	}

	if d.Scoring != nil && d.Labs != nil {
		p := progressAPI{labs: d.Labs, scoring: d.Scoring}
		api.Get("/me/progress", signedIn, p.mine)
	}

	a := auditAPI{log: d.Audit, logger: d.Logger}
	api.Get("/audit", d.Tokens.Require(accounts.RoleAdmin), a.list)
	api.Get("/audit/export", d.Tokens.Require(accounts.RoleAdmin), a.export)
	if d.Cohorts != nil {
		// Who may see and change each organisation and cohort is the
		// service's to decide; here only a signed-in person is required.
		o := organisationsAPI{cohorts: d.Cohorts, audit: d.Audit}
		api.Post("/organisations", d.Tokens.Require(accounts.RoleAdmin), o.create)
		api.Get("/organisations", signedIn, o.list)
		api.Get("/organisations/:id", signedIn, o.get)
		api.Get("/organisations/:id/members", signedIn, o.members)
		api.Post("/organisations/:id/members", signedIn, o.putMember)
		api.Delete("/organisations/:id/members/:user", signedIn, o.removeMember)

		co := cohortsAPI{cohorts: d.Cohorts, accounts: d.Accounts, audit: d.Audit}
		api.Post("/cohorts/join", signedIn, userLimiter("join", joinsPerMinute), settle, co.join)
		api.Post("/cohorts", signedIn, co.create)
		api.Get("/cohorts", signedIn, co.list)
		api.Get("/cohorts/:id", signedIn, co.get)
		api.Put("/cohorts/:id", signedIn, co.update)
		api.Delete("/cohorts/:id", signedIn, co.archive)
		api.Get("/cohorts/:id/members", signedIn, co.members)
		api.Post("/cohorts/:id/members", signedIn, co.addMember)
		api.Delete("/cohorts/:id/members/:user", signedIn, co.removeMember)
		api.Post("/cohorts/:id/join-code", signedIn, co.rotateCode)
		api.Post("/cohorts/:id/roster", signedIn, co.importRoster)
		api.Get("/me/cohorts", signedIn, co.mine)

		// A cohort's coursework: its managers set it, its members see it.
		as := assignmentsAPI{cohorts: d.Cohorts, audit: d.Audit}
		api.Get("/cohorts/:id/assignments", signedIn, as.list)
		api.Post("/cohorts/:id/assignments", signedIn, as.create)
		api.Put("/assignments/:id", signedIn, as.update)
		api.Delete("/assignments/:id", signedIn, as.remove)
		api.Get("/assignments/:id/status", signedIn, as.status)
		api.Get("/me/assignments", signedIn, as.mine)
	}

	if d.Cohorts != nil && d.Labs != nil && d.Scoring != nil && d.Messages != nil {
		// The live view hears of every record and lab change in this
		// process; who may watch a class is the cohorts service's to say.
		hub := live.NewHub()
		d.Scoring.Watch(hub)
		d.Labs.Watch(hub)
		lv := liveAPI{live: live.NewService(liveSources{cohorts: d.Cohorts, scoring: d.Scoring, labs: d.Labs}, hub, d.Messages, nil),
			streams: terminal.NewSessions(liveStreamsPerUser), heartbeat: streamHeartbeat, writeTimeout: d.Options.WriteTimeout, audit: d.Audit,
			open: newOpenStreams(), names: traineeNames{accounts: d.Accounts, labs: d.Labs}}
		app.Hooks().OnShutdown(lv.open.closeAll)
		lv.live.UseHints(d.Scoring)
		api.Get("/cohorts/:id/live", signedIn, lv.matrix)
		api.Get("/cohorts/:id/charts", signedIn, lv.charts)
		api.Post("/cohorts/:id/messages", signedIn, lv.broadcast)
		api.Post("/cohorts/:id/hints", signedIn, lv.giveHint)
		api.Get("/me/messages/stream", signedIn, lv.inbox)
	}
	if d.Cohorts != nil && d.Boards != nil {
		// Events and the boards scoped to an event or a cohort; who plays,
		// runs and sees each is the cohorts service's to say.
		ev := eventsAPI{cohorts: d.Cohorts, boards: d.Boards, audit: d.Audit}
		if d.Scoring != nil {
			d.Scoring.UseContests(eventContests{cohorts: d.Cohorts}, d.Boards) // dynamic scoring counts within the event
		}
		api.Get("/events", signedIn, ev.list)
		api.Post("/events", signedIn, ev.create)
		api.Get("/events/:id", signedIn, ev.get)
		api.Put("/events/:id", signedIn, ev.update)
		api.Delete("/events/:id", signedIn, ev.remove)
		api.Get("/events/:id/scoreboard", signedIn, ev.eventBoard)
		api.Get("/cohorts/:id/scoreboard", signedIn, ev.cohortBoard)
	}
	if d.Scoring != nil && d.Labs != nil {
		// Competency transcripts: a trainee's own, and their classes'
		// trainees' for staff (as JSON, PDF and ATT&CK Navigator layer).
		tr := transcriptsAPI{labs: d.Labs, scoring: d.Scoring, accounts: d.Accounts, audit: d.Audit, frameworks: d.Frameworks, log: d.Logger, now: time.Now}
		api.Get("/me/transcript", signedIn, tr.mine)
		api.Get("/me/transcript/pdf", signedIn, tr.minePDF)
		api.Get("/me/transcript/layer", signedIn, tr.mineLayer)
		staff := d.Tokens.Require(accounts.RoleInstructor)
		api.Get("/trainees/:id/transcript", staff, tr.trainee)
		api.Get("/trainees/:id/transcript/pdf", staff, tr.traineePDF)
		api.Get("/trainees/:id/transcript/layer", staff, tr.traineeLayer)
		if d.Cohorts != nil && d.Partners != nil {
			ct := cohortTranscriptsAPI{frameworks: d.Frameworks, cohorts: d.Cohorts, partners: d.Partners, labs: d.Labs, accounts: d.Accounts, audit: d.Audit,
				writeTimeout: d.Options.WriteTimeout, log: d.Logger, now: time.Now}
			api.Get("/cohorts/:id/competencies", signedIn, ct.view)
			api.Get("/cohorts/:id/competencies/layer", signedIn, ct.layer)
			api.Get("/cohorts/:id/archive", signedIn, ct.archive)
		}
	}
	if d.Partners != nil {
		partnerRoutes(app, api, d)
	}
	if d.SSO != nil && d.Cohorts != nil {
		ssoRoutes(api, d, s, signIn)
	}
	if d.Badges != nil {
		badgeRoutes(api, d)
	}
	if d.LTI != nil && d.Cohorts != nil {
		ltiRoutes(api, d, s, signIn)
	}
	if d.Frameworks != nil {
		frameworkRoutes(api, d, uploads)
	}
	if d.Authoring != nil && d.Cohorts != nil {
		authoringRoutes(api, d, uploads)
	}
	if d.Authoring != nil {
		labImageRoutes(api, d, uploads)
		builtInRoutes(api, d)
	}
	if d.XAPI != nil {
		xapiRoutes(api, d)
	}
	watchWork(app, d)
	api.Use(apiNotFound) // unknown API paths get JSON, never the app's HTML
	app.Use(frontend(d.Frontend))
}
