package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/store"
)

// databaseSettings are what backup and restore need to find the database.
var databaseSettings = []string{"data-dir", "database-url"}

// backup writes a consistent copy of the SQLite database to FILE, safe
// while the server runs. PostgreSQL is backed up with pg_dump.
func backup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	f := config.Register(fs, getenv, databaseSettings...)
	file, err := oneFile(fs, args, "usage: sakimori backup [flags] FILE")
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	path, err := store.SQLitePath(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err // PostgreSQL: pg_dump, and nothing opened
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database to back up: %w", err) // opening would make an empty one
	}
	db, err := store.Open(ctx, store.Options{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Now: time.Now})
	if err != nil {
		return err
	}
	defer db.Close()
	// A backup is an export of everything: it is recorded first, so the
	// copy holds its own entry.
	err = audit.NewLog(db.Audit(), time.Now).Record(ctx, audit.Entry{ActorRole: "operator", Action: audit.DatabaseBackup,
		TargetKind: "database", Detail: map[string]string{"file": file, "via": "command line"}})
	if err != nil {
		return fmt.Errorf("backup not made: its audit entry could not be written: %w", err)
	}
	start := time.Now()
	if err := db.Backup(ctx, file); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up the database to %s in %s; keep secrets.json with it\n", file, time.Since(start).Round(time.Millisecond))
	return nil
}

// restore puts a backup made by backup in place of the configured SQLite
// database, after checking it; the server must be stopped.
func restore(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	force := fs.Bool("force", false, "replace a database that already exists")
	f := config.Register(fs, getenv, databaseSettings...)
	file, err := oneFile(fs, args, "usage: sakimori restore [-force] [flags] FILE")
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	dst, err := store.SQLitePath(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	version, err := store.Restore(ctx, file, dst, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s to %s (schema %05d); the next start applies any newer migrations\n", file, dst, version)
	return nil
}

// oneFile parses the flags and returns the one file named after them.
func oneFile(fs *flag.FlagSet, args []string, usage string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		return "", errors.New(usage)
	}
	return fs.Arg(0), nil
}
