package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/badges"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/cohorts/forlabs"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/frontend"
	"github.com/sakimori/sakimori/labs/driver/docker"
	"github.com/sakimori/sakimori/labs/forcohorts"
	"github.com/sakimori/sakimori/labs/forscoring"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server"
	"github.com/sakimori/sakimori/server/auth"
	"github.com/sakimori/sakimori/store"
)

// serve runs the server until ctx is cancelled (SIGINT or SIGTERM), then
// stops taking requests and lets those in flight finish.
func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, db, err := openDatabase(ctx, "serve", args, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	log := newLogger(cfg, stderr)
	// Bound first: the public URL (token issuer, origin checks) may follow
	// the port the system gives.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	cfg.ListeningAt(ln.Addr().String())
	secrets, created, err := config.LoadOrCreateSecrets(cfg.SecretsFile)
	if err != nil {
		return err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	conn, err := docker.Connect(cfg.DockerHost)
	if err != nil {
		return err
	}
	defer conn.Close()
	tags, err := labImageTags()
	if err != nil {
		log.Warn("some lab images run under their plain names, which another range's build may replace", "err", err)
	}
	engine := conn.ForRange(config.RangeID(secrets)).WithImages(tags)

	passwords, err := accounts.NewPasswords(accounts.OWASPParams)
	if err != nil {
		return err
	}
	accountsSvc := accounts.NewService(db.Accounts(), passwords, accounts.Options{
		OpenRegistration: cfg.Registration == config.RegistrationOpen,
		RefreshTTL:       cfg.RefreshTTL,
		Now:              time.Now,
		PublicURL:        cfg.PublicURL,
		SealKey:          config.SealKey(secrets),
	})
	tokens, err := auth.NewTokens(signingKeys(secrets), cfg.PublicURL, cfg.AccessTTL, time.Now)
	if err != nil {
		return err
	}
	setupCode, err := accountsSvc.NewSetupCode(ctx)
	if err != nil {
		return err
	}
	labsSvc, pool, excluded, err := newLabs(cfg, db, engine, secrets, log)
	if err != nil {
		return err
	}
	scoringSvc := scoring.NewService(forscoring.New(db.Labs(), labsSvc.Catalogue(), secrets.FlagKey, engine), db.Scoring(), time.Now)
	scoringSvc.FreezeScoreboard(cfg.ScoreboardFreeze)
	authoringSvc := newAuthoring(cfg, db, labsSvc, scoringSvc, engine, accountsSvc)
	cohortsSvc := cohorts.NewService(db.Cohorts(), accountsSvc, time.Now)
	coursework := forcohorts.New(forscoring.New(db.Labs(), labsSvc.Catalogue(), secrets.FlagKey, engine), db.Labs(), db.Scoring())
	cohortsSvc.UseCoursework(coursework, coursework)
	cohortsSvc.UseEvents(db.Cohorts())
	scoringSvc.UseDeadlines(cohortsSvc) // late solves follow their assignments' policies
	// Classes in session keep the labs they reserve.
	labsSvc.UseReserves(forlabs.New(cohortsSvc))
	go labsSvc.ReconcileWhenReady(ctx, 10*time.Second)
	go labsSvc.RunReaper(ctx, 15*time.Second)
	auditLog := audit.NewLog(db.Audit(), time.Now)
	go runRecordingRetention(ctx, cfg, db, auditLog, log)

	ssoSvc, err := newSSO(cfg.PublicURL, filepath.Join(filepath.Dir(cfg.SecretsFile), "saml-sp.pem"), db, accountsSvc, secrets)
	if err != nil {
		return err
	}
	badgeSvc, err := badges.NewService(db.Badges(), cfg.PublicURL, badgeIssuerName(cfg.PublicURL), config.BadgeSealKey(secrets), time.Now)
	if err != nil {
		return err
	}
	ltiSvc, err := newLTI(ctx, cfg.PublicURL, db, accountsSvc, cohortsSvc, secrets, log)
	if err != nil {
		return err
	}
	xapiSvc, outbox, err := newXAPI(cfg.PublicURL, db, secrets, labsSvc.Catalogue(), cohortsSvc, auditLog)
	if err != nil {
		return err
	}
	forwarding := make(chan struct{})
	go func() { outbox.Run(ctx, cfg.XAPIInterval, log); close(forwarding) }()
	metrics := prometheus.NewRegistry()
	metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	app, err := server.New(server.Deps{
		Options: server.Options{
			PublicURL: cfg.PublicURL, BodyLimit: cfg.BodyLimit, TrustedProxies: cfg.TrustedProxies,
			CORSOrigins: cfg.CORSOrigins, SecureCookies: cfg.SecureCookies(), RefreshTTL: cfg.RefreshTTL,
			LoginPerMinute: cfg.LoginPerMinute, LaunchPerMinute: cfg.LaunchPerMinute, SubmitPerMinute: cfg.SubmitPerMinute,
			ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout, TerminalGrace: cfg.TerminalGrace, LabWebDeadline: cfg.LabWebDeadline,
			MetricsElsewhere: cfg.MetricsListen != "", MetricsToken: cfg.MetricsToken, PartnerPerMinute: cfg.PartnerPerMinute,
			Version: version,
		},
		Logger:   log,
		Accounts: accountsSvc,
		Tokens:   tokens,
		Labs:     labsSvc,
		Scoring:  scoringSvc,
		Audit:    auditLog,
		Cohorts:  cohortsSvc,
		Boards:   scoring.NewBoards(db.Scoring(), time.Now),
		Partners: partners.NewService(db.Partners(), cohortsSvc, auditLog, config.PartnerCursorKey(secrets), time.Now),
		Messages: db.Messages(),
		SSO:      ssoSvc,
		Badges:   badgeSvc,
		LTI:      ltiSvc,
		Frameworks: &competency.Importer{Store: db.Frameworks(), Now: time.Now, Limits: competency.ImportLimits{
			MaxBytes: int64(cfg.FrameworkImportLimit), MaxUncompressed: 2 * int64(cfg.FrameworkImportLimit), MaxRatio: 100}},
		XAPI:      xapiSvc,
		Authoring: authoringSvc,
		Templates: scenarios.Templates(),
		Checks: []server.Check{
			{Name: "database", Check: db.Ping},
			{Name: "docker", Check: engine.Ping},
		},
		Metrics:  metrics,
		Frontend: frontend.Files(),
	})
	if err != nil {
		return err
	}

	dockerStatus := engineStatus(ctx, engine)
	printSummary(stderr, summary{cfg: cfg, addr: ln.Addr().String(), db: db, applied: len(applied),
		secretsCreated: created, docker: dockerStatus, setupCode: setupCode,
		labs: fmt.Sprintf("%d scenarios; %d lab networks of /%d in %s (%d excluded: host routes %v); at most %d labs at once; range id %s (engine label io.sakimori.range)",
			len(labsSvc.Catalogue().All()), pool.Size(), cfg.LabSubnetBits, pool.Block(), len(excluded), excluded, cfg.LabCapacity, config.RangeID(secrets))})

	if cfg.MetricsListen != "" {
		stopMetrics, err := serveMetrics(cfg, metrics, log)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	if err := app.ShutdownWithTimeout(15 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Rehearsals stop first (each kept as failed, its lab stopped), before
	// the lab service they run on closes.
	authoringSvc.Close()
	closing, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := labsSvc.Close(closing); err != nil {
		log.Warn("labs still provisioning at shutdown; the reconciler finishes them at next start", "err", err)
	}
	<-forwarding // ctx is done: the outbox stops at its next request
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func signingKeys(s config.Secrets) []auth.Key {
	keys := make([]auth.Key, len(s.SigningKeys))
	for i, k := range s.SigningKeys {
		keys[i] = auth.Key{ID: k.ID, Private: k.Private()}
	}
	return keys
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // config has checked it
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func engineStatus(ctx context.Context, e *docker.Engine) string {
	api, err := e.APIVersion(ctx)
	if err != nil {
		return e.Host() + " (not reachable: labs cannot start until it is)"
	}
	return e.Host() + " (API " + api + ")"
}

type summary struct {
	cfg            config.Config
	addr           string
	db             *store.DB
	applied        int
	secretsCreated bool
	docker         string
	setupCode      string
	labs           string
}

// printSummary writes the one block an operator reads at start-up: what the
// server is using, and, before first-run setup, how to claim it.
func printSummary(w io.Writer, s summary) {
	database := s.db.Dialect()
	if database == "sqlite" {
		database += " in " + s.cfg.DataDir
		if strings.HasPrefix(s.cfg.DatabaseURL, "sqlite:") {
			database = "sqlite at " + strings.TrimPrefix(s.cfg.DatabaseURL, "sqlite:")
		}
	}
	secrets := s.cfg.SecretsFile
	if s.secretsCreated {
		secrets += " (created now; back it up)"
	}
	ui := "embedded"
	if !frontend.Built {
		ui = "placeholder only (build with: go tool task build)"
	}
	fmt.Fprintf(w, "\nSakimori %s\n", version)
	fmt.Fprintf(w, "  listening     %s (public URL %s)\n", s.addr, s.cfg.PublicURL)
	fmt.Fprintf(w, "  metrics       %s\n", metricsWhere(s.cfg))
	fmt.Fprintf(w, "  database      %s (migrations applied now: %d)\n", database, s.applied)
	fmt.Fprintf(w, "  data dir      %s\n", s.cfg.DataDir)
	fmt.Fprintf(w, "  secrets       %s\n", secrets)
	fmt.Fprintf(w, "  docker        %s\n", s.docker)
	fmt.Fprintf(w, "  labs          %s\n", s.labs)
	fmt.Fprintf(w, "  registration  %s\n", s.cfg.Registration)
	fmt.Fprintf(w, "  browser app   %s\n", ui)
	if s.setupCode != "" {
		fmt.Fprintf(w, "\n  First-run setup: open %s/setup and enter this one-time code:\n\n      %s\n\n", s.cfg.PublicURL, s.setupCode)
		fmt.Fprintf(w, "  (It is printed once; a restart before setup prints a new one.)\n")
	}
	fmt.Fprintln(w)
}
