package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/store"
)

// migrate applies migrations ("up", the default) or lists them ("status").
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	action := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		action, args = args[0], args[1:]
	}
	if action != "up" && action != "status" {
		return fmt.Errorf("migrate: unknown action %q (want up or status)", action)
	}
	_, db, err := openDatabase(ctx, "migrate", args, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	if action == "status" {
		list, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range list {
			state := "pending"
			if m.Applied {
				state = "applied"
			}
			fmt.Fprintf(stdout, "%05d  %-8s %s\n", m.Version, state, m.Name)
		}
		return nil
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		fmt.Fprintf(stdout, "applied %05d %s\n", m.Version, m.Name)
	}
	fmt.Fprintf(stdout, "%s database is up to date (%d applied now)\n", db.Dialect(), len(applied))
	return nil
}

// openDatabase reads the configuration a subcommand was given and opens the
// database it names.
func openDatabase(ctx context.Context, name string, args []string, getenv func(string) string) (config.Config, *store.DB, error) {
	cfg, err := config.Load(name, args, getenv)
	if err != nil {
		return config.Config{}, nil, err
	}
	db, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Now: time.Now})
	return cfg, db, err
}
