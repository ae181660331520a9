package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver/docker"
	"github.com/sakimori/sakimori/labs/forscoring"
	"github.com/sakimori/sakimori/rehearsal"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
)

// scenarioTest rehearses built-in scenarios on the engine: each is
// launched for a throwaway trainee and its reference solution played.
// It keeps its own throwaway database and acts for a range of its own,
// and keeps clear of every subnet already on the engine, so it is safe
// beside a running range.
func scenarioTest(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("scenario test", flag.ContinueOnError)
	host := fs.String("docker-host", getenv("SAKIMORI_DOCKER_HOST"), "Docker engine address")
	block := fs.String("lab-pool", envOr(getenv, "SAKIMORI_LAB_POOL", config.DefaultLabPool), "private block lab networks are taken from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ids := fs.Args()
	if len(ids) == 0 {
		return errors.New("usage: sakimori scenario test [-lab-pool CIDR] [-docker-host ADDR] ID… | all")
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
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	conn, err := docker.Connect(*host)
	if err != nil {
		return err
	}
	defer conn.Close()
	engine := conn.ForRange("rehearsal-" + randomHex(4))
	pool, err := labs.NewPool(*block, config.DefaultLabSubnetBits)
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
	labsSvc := labs.NewService(db.Labs(), engine, catalogue, pool, labs.Options{
		Capacity: len(ids), FlagKey: flagKey, Logger: slog.New(slog.DiscardHandler),
	})
	defer labsSvc.Close(context.WithoutCancel(ctx))
	passwords, err := accounts.NewPasswords(accounts.OWASPParams)
	if err != nil {
		return err
	}
	people := accounts.NewService(db.Accounts(), passwords, accounts.Options{})
	rg := &rehearsal.Range{
		Labs: labsSvc, Driver: engine, Log: &lockedWriter{w: stdout},
		Trainee: func(ctx context.Context) (string, error) {
			tag := randomHex(6)
			u, err := people.CreateUser(ctx, accounts.NewUser{Email: "rehearsal-" + tag + "@sakimori.invalid",
				DisplayName: "rehearsal " + tag, Password: randomHex(16), Role: accounts.RoleTrainee})
			return u.ID, err
		},
		Scoring: scoring.NewService(forscoring.New(db.Labs(), catalogue, flagKey, engine), db.Scoring(), nil),
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

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
