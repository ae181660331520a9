package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver/docker"
	"github.com/sakimori/sakimori/labs/forscoring"
	"github.com/sakimori/sakimori/rehearsal"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
)

const scenarioUsage = "usage: sakimori scenario validate [PATH…] | sakimori scenario test [flags] ID…|all | sakimori scenario export [-o FILE] ID|FOLDER | sakimori scenario import -dir DIR BUNDLE | sakimori scenario new [-template NAME] DIR"

// scenario checks scenarios: validate reads their manifests, test plays
// their reference solutions on live labs.
func scenario(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(scenarioUsage)
	}
	switch args[0] {
	case "validate":
		return scenarioValidate(args[1:], stdout)
	case "test":
		return scenarioTest(ctx, args[1:], getenv, stdout)
	case "export":
		return scenarioExport(args[1:], stdout)
	case "import":
		return scenarioImport(args[1:], stdout)
	case "new":
		return scenarioNew(args[1:], stdout)
	}
	return errors.New(scenarioUsage)
}

// scenarioTest rehearses built-in scenarios on the engine: each is
// launched for a throwaway trainee and its reference solution played.
// It keeps its own throwaway database and acts for a range of its own,
// and keeps clear of every subnet already on the engine, so it is safe
// beside a running range.
func scenarioTest(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("scenario test", flag.ContinueOnError)
	settings := config.Register(fs, getenv, config.RehearsalSettings...)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := settings.Config()
	if err != nil {
		return err
	}
	ids := fs.Args()
	if len(ids) == 0 {
		return errors.New(scenarioUsage)
	}
	catalogue, err := labs.LoadCatalogue(scenarios.Files())
	if err != nil {
		return err
	}
	if len(ids) == 1 && ids[0] == "all" {
		ids = ids[:0]
		for _, s := range catalogue.All() {
			ids = append(ids, s.ID)
		}
	}
	for _, id := range ids {
		if _, err := catalogue.Scenario(id); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
	}
	dir, err := os.MkdirTemp("", "sakimori-rehearsal-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, store.Options{DataDir: dir, Now: time.Now})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	conn, err := docker.Connect(cfg.DockerHost)
	if err != nil {
		return err
	}
	defer conn.Close()
	tags, _ := labImageTags() // a missing input leaves that image under its plain name
	engine := conn.ForRange("rehearsal-" + randomHex(4)).WithImages(tags)
	pool, err := labs.NewPool(cfg.LabPool, cfg.LabSubnetBits)
	if err != nil {
		return err
	}
	taken, err := engine.NetworkSubnets(ctx)
	if err != nil {
		return err
	}
	pool.Exclude(append(taken, hostRoutes(slog.New(slog.DiscardHandler))...))
	flagKey := make([]byte, 32)
	_, _ = rand.Read(flagKey)
	opt := labOptions(cfg, flagKey, slog.New(slog.DiscardHandler))
	opt.Capacity = len(ids) // every rehearsal at once, and no more
	labsSvc, err := labs.NewService(db.Labs(), engine, catalogue, pool, opt)
	if err != nil {
		return err
	}
	defer labsSvc.Close(context.WithoutCancel(ctx))
	passwords, err := accounts.NewPasswords(accounts.OWASPParams)
	if err != nil {
		return err
	}
	people := accounts.NewService(db.Accounts(), passwords, accounts.Options{Now: time.Now})
	rg := &rehearsal.Range{
		Labs: labsSvc, Driver: engine, Log: &lockedWriter{w: stdout},
		Trainee: func(ctx context.Context) (string, error) {
			tag := randomHex(6)
			u, err := people.CreateUser(ctx, accounts.NewUser{Email: "rehearsal-" + tag + "@sakimori.invalid",
				DisplayName: "rehearsal " + tag, Password: randomHex(16), Role: accounts.RoleTrainee})
			return u.ID, err
		},
		Scoring: scoring.NewService(forscoring.New(db.Labs(), catalogue, flagKey, engine), db.Scoring(), time.Now),
	}
	reports := make([]rehearsal.Report, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { reports[i], errs[i] = rg.Rehearse(ctx, id) })
	}
	wg.Wait()
	var failed error
	for i, id := range ids {
		switch {
		case errs[i] != nil:
			fmt.Fprintf(stdout, "FAIL %s: %v\n", id, errs[i])
			failed = errors.Join(failed, fmt.Errorf("%s: %w", id, errs[i]))
		case !reports[i].Passed():
			fmt.Fprintf(stdout, "FAIL %s\n", id)
			failed = errors.Join(failed, fmt.Errorf("%s: %w", id, rehearsal.ErrFailed))
		default:
			fmt.Fprintf(stdout, "ok   %s (%d objectives)\n", id, len(reports[i].Steps))
		}
	}
	return failed
}

// lockedWriter lets concurrent rehearsals write whole lines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// scenarioValidate checks manifests: the built-in catalogue, or the files,
// folders or bundles named (a folder is read as one scenario folder).
func scenarioValidate(paths []string, stdout io.Writer) error {
	if len(paths) == 0 {
		c, err := labs.LoadCatalogue(scenarios.Files())
		if err != nil {
			return err
		}
		for _, s := range c.All() {
			fmt.Fprintf(stdout, "ok  %s (built in)\n", s.ID)
			warnSecBoK(stdout, s)
		}
		return nil
	}
	var failed error
	for _, p := range paths {
		s, err := validateScenario(p)
		if errors.Is(err, fs.ErrNotExist) {
			failed = errors.Join(failed, err)
			continue
		}
		if err != nil {
			fmt.Fprintln(stdout, "FAIL", err)
			failed = errors.Join(failed, fmt.Errorf("%s is not valid", p))
			continue
		}
		fmt.Fprintf(stdout, "ok  %s (%s)\n", s.ID, p)
		warnSecBoK(stdout, s)
	}
	return failed
}

// warnSecBoK says when a scenario names SecBoK items: validating offline,
// no imported skill map is at hand to check them against, which is a
// warning, not a failure (the range checks them when a map is imported).
func warnSecBoK(stdout io.Writer, s *labs.Scenario) {
	if _, warning := competency.CheckSecBoK(labs.CompetencyMapping(s), nil); warning != "" {
		fmt.Fprintf(stdout, "warn %s: %s\n", s.ID, warning)
	}
}

// validateScenario reads a scenario folder (its scenario.yaml and the
// solution.yaml beside it), a bundle of one, or one manifest file on its
// own.
func validateScenario(p string) (*labs.Scenario, error) {
	p = filepath.Clean(p)
	st, err := os.Stat(p)
	if err == nil && !st.IsDir() && isBundle(p) {
		_, s, err := readBundleFile(p)
		return s, err
	}
	if err == nil && st.IsDir() {
		return labs.LoadScenario(os.DirFS(filepath.Dir(p)), filepath.Base(p))
	}
	if filepath.Base(p) == "scenario.yaml" {
		dir := filepath.Dir(p)
		return labs.LoadScenario(os.DirFS(filepath.Dir(dir)), filepath.Base(dir))
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return labs.ParseScenario(data, p)
}
