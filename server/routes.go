package server

import (
	"time"

	fiberws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server/terminal"
)

// routes is the one route table: every endpoint the server answers is here.
func routes(app *fiber.App, d Deps) {
	app.Use(recover.New())
	app.Use(requestID, accessLog(d.Logger), newHTTPMetrics(d.Metrics).middleware)
	app.Use(securityHeaders(d.Options.SecureCookies))
	if cors := corsFor(d.Options.CORSOrigins); cors != nil {
		app.Use(cors)
	}

	app.Get("/healthz", healthz)
	app.Get("/readyz", readyz(d.Checks))
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(d.Metrics, promhttp.HandlerOpts{})))

	api := app.Group("/api/v1")
	api.Get("/openapi.json", contract) // describes every route in this table
	signIn := credentialLimiter(d.Options.LoginPerMinute)
	sameSite := sameOrigin(d.Options.PublicURL, d.Options.CORSOrigins)
	s := sessions{accounts: d.Accounts, tokens: d.Tokens, opt: d.Options}

	api.Get("/setup", s.setupStatus)
	api.Post("/setup", signIn, settle, s.setup)
	api.Post("/auth/register", signIn, settle, s.register)
	api.Post("/auth/login", signIn, settle, s.login)
	api.Post("/auth/refresh", sameSite, s.refresh)
	api.Post("/auth/logout", sameSite, s.logout)

	signedIn := d.Tokens.Require()
	api.Get("/me", signedIn, s.me)

	u := users{accounts: d.Accounts}
	api.Get("/users", d.Tokens.Require(accounts.RoleAdmin), u.list)
	api.Post("/users", d.Tokens.Require(accounts.RoleAdmin), u.create)
	api.Post("/invites", d.Tokens.Require(accounts.RoleInstructor), u.invite)

	if d.Labs != nil {
		l := labsAPI{labs: d.Labs, accounts: d.Accounts, streams: terminal.NewSessions(streamsPerUser)}
		api.Get("/scenarios", signedIn, l.scenarios)
		api.Get("/scenarios/:id", signedIn, l.scenario)
		api.Post("/labs", signedIn, userLimiter("launch", d.Options.LaunchPerMinute), settle, l.launch)
		api.Get("/labs", signedIn, l.list)
		api.Get("/labs/:id", signedIn, l.instanceOp(getLab))
		api.Get("/labs/:id/events", signedIn, l.events)
		api.Get("/labs/:id/health", signedIn, l.health)
		api.Post("/labs/:id/extend", signedIn, l.instanceOp(extendLab))
		api.Post("/labs/:id/reset", signedIn, userLimiter("reset", d.Options.LaunchPerMinute), settle, l.instanceOp(resetLab))
		api.Delete("/labs/:id", signedIn, l.instanceOp(stopLab))

		t := terminalAPI{log: d.Logger, labs: d.Labs, tickets: terminal.NewTickets(ticketTTL, nil),
			sessions: terminal.NewSessions(terminalsPerPerson), shells: terminal.NewShells(d.Options.TerminalGrace), origins: newOrigins(d.Options.PublicURL, d.Options.CORSOrigins)}
		api.Post("/labs/:id/terminal", signedIn, t.ticket)
		api.Get("/labs/:id/terminal/ws", t.upgrade, fiberws.New(t.serve, fiberws.Config{HandshakeTimeout: 10 * time.Second}))

		rec := recordingsAPI{labs: d.Labs}
		api.Get("/labs/:id/recordings", signedIn, rec.list)
		api.Get("/recordings/:id", signedIn, rec.cast)

		w := newLabWebAPI(d.Labs, d.Options.LabWebDeadline)
		api.Post("/labs/:id/web", signedIn, w.open)
		app.All(webPrefix+":cap/*", w.admit, webLimiter(webRequestsPerMinute), settle, w.serve)
	}
	if d.Scoring != nil {
		sc := scoringAPI{scoring: d.Scoring}
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

	if d.Scoring != nil && d.Labs != nil {
		p := progressAPI{labs: d.Labs, scoring: d.Scoring}
		api.Get("/me/progress", signedIn, p.mine)
	}

	api.Use(apiNotFound) // unknown API paths get JSON, never the app's HTML
	app.Use(frontend(d.Frontend))
}
