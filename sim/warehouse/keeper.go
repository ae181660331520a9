package warehouse

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// keeper tends a running warehouse: it enforces the policy the admins
// keep in security.user_policies, and fills the usage views from the log.
type keeper struct {
	w      *World
	dir    string
	server *exec.Cmd
	out    io.Writer
	ticks  int
	logged int64 // the log's size when the views were last filled
}

// tend is one round: the policy every time, the views every third.
func (k *keeper) tend(ctx context.Context) {
	if err := k.enforce(ctx); err != nil {
		fmt.Fprintln(k.out, "warehouse: the network policy:", err)
	}
	if k.ticks++; k.ticks%3 == 0 {
		if err := k.fillViews(ctx); err != nil {
			fmt.Fprintln(k.out, "warehouse: the usage views:", err)
		}
	}
}

// enforce writes the policy the table holds to pg_hba.conf when it
// differs from what the server has, and has the server read it again.
func (k *keeper) enforce(ctx context.Context) error {
	out, err := asServer(ctx, k.w.Database, nil, "-At", "-F", fieldSep, "-c", policyQuery)
	if err != nil {
		return err
	}
	p, err := k.w.parsePolicy(out)
	if err != nil {
		return err
	}
	hba := k.w.HBA(p)
	path := filepath.Join(k.dir, "pg_hba.conf")
	if now, err := os.ReadFile(path); err == nil && string(now) == hba {
		return nil
	}
	if err := os.WriteFile(path+".new", []byte(hba), 0o600); err != nil {
		return err
	}
	if err := os.Rename(path+".new", path); err != nil {
		return err
	}
	if err := k.server.Process.Signal(syscall.SIGHUP); err != nil {
		return err
	}
	return recordPolicy(k.dir, time.Now(), hba)
}

// fillViews loads the histories into account_usage when the log has grown.
func (k *keeper) fillViews(ctx context.Context) error {
	name := filepath.Join(k.dir, "log", "warehouse.json")
	st, err := os.Stat(name)
	if err != nil || st.Size() == k.logged {
		return err
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	policies, err := ReadPoliciesIn(k.dir)
	if err != nil {
		return err
	}
	logins, queries, err := History(f, k.w.Show, policies)
	if err != nil {
		return err
	}
	if _, err := asServer(ctx, k.w.Database, strings.NewReader(usageLoad(logins, queries)), "-q", "-f", "-"); err != nil {
		return err
	}
	k.logged = st.Size()
	return nil
}

// asServer runs psql as the server's own account on its socket, in
// database, its statements and its connection left out of the log: the
// warehouse tending or checking itself is no one's activity.
func asServer(ctx context.Context, database string, stdin io.Reader, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", append([]string{"-X", "-h", "/var/run/postgresql", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1"}, args...)...)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c log_statement=none -c log_connections=off -c log_disconnections=off")
	cmd.Stdin = stdin
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("psql: %v: %s", err, strings.TrimSpace(errs.String()))
	}
	return out.String(), nil
}
