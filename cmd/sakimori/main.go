// Command sakimori runs the Sakimori training range. It is the only place
// that wires the domains, storage and web layer together.
//
//	sakimori serve                 run the server (migrates first)
//	sakimori migrate [up|status]   apply or list database migrations
//	sakimori user create …         make an account from the command line
//	sakimori backup FILE           copy the SQLite database, safe while serving
//	sakimori restore FILE          put a backup in place (server stopped)
//	sakimori healthcheck           ask a running server's /healthz (for containers)
//	sakimori images build          build the lab images, with no registry
//	sakimori scenario validate …   check scenario manifests
//	sakimori scenario test ID…     play scenarios' reference solutions on live labs
//	sakimori scenario export|import   move a scenario as a bundle (.tar.gz)
//	sakimori version               print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sakimori:", err)
		os.Exit(1)
	}
}

const usage = `Sakimori: a cyber workforce training range.

Usage:
  sakimori serve [flags]              run the server (applies migrations first)
  sakimori migrate [up|status] [flags] apply or list database migrations
  sakimori user create [flags]        make an account (password read from stdin, or generated)
  sakimori backup [flags] FILE        copy the SQLite database to FILE, safe while the server runs
                                      (PostgreSQL: use pg_dump)
  sakimori restore [-force] [flags] FILE
                                      check a backup and put it in place of the database (server stopped)
  sakimori healthcheck [-url URL]     exit 0 if a running server's /healthz answers 200
  sakimori images build [flags]       build the lab images from this machine's files (no registry)
  sakimori scenario validate [PATH…]  check scenario manifests (default: the built-in catalogue)
  sakimori scenario test [flags] ID…|all
                                      launch each scenario for a throwaway trainee and play its reference solution
  sakimori scenario export [-o FILE] ID|FOLDER
                                      write a scenario as a bundle (.tar.gz), see docs/authoring.md
  sakimori scenario import -dir DIR BUNDLE
                                      check a bundle and write its scenario folder into DIR
  sakimori scenario new [-template one-host|web-app|cloud-account] DIR
                                      start a scenario folder from a template, named by DIR
  sakimori version                    print the version

Every setting is a flag and a SAKIMORI_* environment variable; a flag wins.
Each command's -h lists its flags with their variables ("sakimori serve -h").
`

// run dispatches a subcommand; it takes its environment as arguments so
// tests can drive the real command.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, getenv, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout)
	case "user":
		return user(ctx, rest, getenv, stdin, stdout)
	case "backup":
		return backup(ctx, rest, getenv, stdout)
	case "restore":
		return restore(ctx, rest, getenv, stdout)
	case "healthcheck":
		return healthcheck(ctx, rest, getenv, stdout)
	case "images":
		return images(ctx, rest, getenv, stdout)
	case "scenario":
		return scenario(ctx, rest, getenv, stdout)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "sakimori", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
