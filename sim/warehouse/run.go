package warehouse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Run makes the server in dir, unless a restarted host already has it made,
// and runs it until ctx ends; the server's own output goes to out. It
// runs as the server's account (postgres), with PostgreSQL's programs on
// PATH. A new server is loaded listening on its socket alone, so no one
// on the lab's network meets it half made.
func (w *World) Run(ctx context.Context, dir string, out io.Writer) error {
	loaded := filepath.Join(dir, "sakimori-loaded")
	if _, err := os.Stat(loaded); errors.Is(err, os.ErrNotExist) {
		// Made afresh: a setup cut short (the host restarted in the middle)
		// must not leave a server without its roles and data.
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		if err := w.initialise(ctx, dir, out); err != nil {
			return err
		}
		setup, done, err := start(dir, out, "-c", "listen_addresses=")
		if err != nil {
			return err
		}
		err = w.load(ctx, done, out)
		_ = setup.Process.Signal(syscall.SIGINT)
		<-done
		if err != nil {
			return err
		}
		if err := os.WriteFile(loaded, nil, 0o600); err != nil {
			return err
		}
	}
	server, done, err := start(dir, out)
	if err != nil {
		return err
	}
	keep := keeper{w: w, dir: dir, server: server, out: out}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return fmt.Errorf("postgres stopped: %v", err)
		case <-tick.C:
			keep.tend(ctx)
		case <-ctx.Done():
			// Fast shutdown: sessions end, the server stops cleanly.
			_ = server.Process.Signal(syscall.SIGINT)
			<-done
			return nil
		}
	}
}

// start runs the server on dir; done says when it stops.
func start(dir string, out io.Writer, args ...string) (*exec.Cmd, <-chan error, error) {
	server := exec.Command("postgres", append([]string{"-D", dir}, args...)...)
	server.Stdout, server.Stderr = out, out
	server.Env = serverEnv(os.Environ())
	if err := server.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting postgres: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- server.Wait() }()
	return server, done, nil
}

func (w *World) initialise(ctx context.Context, dir string, out io.Writer) error {
	initdb := exec.CommandContext(ctx, "initdb", "-D", dir, "-U", "postgres", "--auth-local=peer", "--auth-host=reject",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
	initdb.Stdout, initdb.Stderr = out, out
	if err := initdb.Run(); err != nil {
		return fmt.Errorf("initdb: %w", err)
	}
	conf, err := os.OpenFile(filepath.Join(dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = io.WriteString(conf, "\n# The lab's warehouse\n"+Settings())
	if cerr := conf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	authority, err := NewAuthority(w.Authenticator)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	if err := authority.writeServerFiles(dir, cmp.Or(host, "warehouse")); err != nil {
		return err
	}
	hba := w.HBA(w.StartPolicy())
	if err := os.WriteFile(filepath.Join(dir, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		return err
	}
	return recordPolicy(dir, time.Now(), hba)
}

// serverEnv is the server's environment: what it needs, and the unload's
// settings (UNLOAD_…), which COPY … TO PROGRAM passes on. Not the
// scenario's setup, whose passwords a program run by COPY could read.
func serverEnv(env []string) []string {
	var keep []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name == "PATH" || name == "HOME" || name == "LANG" || name == "TZ" || strings.HasPrefix(name, "UNLOAD_") {
			keep = append(keep, kv)
		}
	}
	return keep
}

// load waits for the server to take connections, then runs the setup.
func (w *World) load(ctx context.Context, done <-chan error, out io.Writer) error {
	for ready := false; !ready; {
		select {
		case err := <-done:
			return fmt.Errorf("postgres stopped while starting: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		ready = exec.CommandContext(ctx, "pg_isready", "-q", "-h", "/var/run/postgresql").Run() == nil
	}
	psql := exec.CommandContext(ctx, "psql", "-X", "-q", "-h", "/var/run/postgresql", "-U", "postgres", "-d", "postgres", "-f", "-")
	psql.Stdin = strings.NewReader(w.Setup())
	psql.Stdout, psql.Stderr = out, out
	if err := psql.Run(); err != nil {
		return fmt.Errorf("loading the warehouse: %w", err)
	}
	return nil
}
