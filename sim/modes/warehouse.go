package modes

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/telemetry"
	"github.com/sakimori/sakimori/sim/warehouse"
)

func init() {
	labkit.Register("warehouse", runWarehouse)
	labkit.Register("warehouse-events", func(_ context.Context, args []string) error { return exit(runWarehouseEvents(args)) })
	labkit.Register("warehouse-cert", func(_ context.Context, args []string) error { return runWarehouseCert(args) })
}

// runWarehouseCert enrols this host for a role's second factor: its
// client certificate and key, and the authority, in ~/.postgresql where
// psql finds them. The authority is made from WAREHOUSE_AUTHENTICATOR,
// the warehouse's own secret.
func runWarehouseCert(args []string) error {
	fs := flag.NewFlagSet("warehouse-cert", flag.ContinueOnError)
	role := fs.String("role", "", "the role the certificate is for")
	dir := fs.String("dir", filepath.Join(os.Getenv("HOME"), ".postgresql"), "where to write it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *role == "" {
		return fmt.Errorf("warehouse-cert: -role is needed")
	}
	secret, err := labkit.Setting("WAREHOUSE_AUTHENTICATOR")
	if err != nil {
		return err
	}
	a, err := warehouse.NewAuthority(secret)
	if err != nil {
		return err
	}
	return a.Enrol(*role, *dir)
}

// runWarehouse makes and runs the warehouse of WAREHOUSE, in a
// sakimori-lab/warehouse host.
func runWarehouse(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("warehouse", flag.ContinueOnError)
	dir := fs.String("data", filepath.Join(os.Getenv("HOME"), "lab"), "the server's data folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, err := labkit.Setting("WAREHOUSE")
	if err != nil {
		return err
	}
	w, err := warehouse.ParseWorld(text)
	if err != nil {
		return err
	}
	return w.Run(ctx, *dir, os.Stderr)
}

// runWarehouseEvents prints the warehouse's login or query history, read
// from the server's JSON log, for a detection's live events (run in the
// warehouse's host).
func runWarehouseEvents(args []string) int {
	fs := flag.NewFlagSet("warehouse-events", flag.ContinueOnError)
	dir := fs.String("data", filepath.Join(os.Getenv("HOME"), "lab"), "the server's data folder")
	log := fs.String("log", "login", "login or query")
	if err := fs.Parse(args); err != nil || (*log != "login" && *log != "query") {
		return 2
	}
	w, err := warehouse.ParseWorld(os.Getenv("WAREHOUSE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "sakimori-sim warehouse-events:", err)
		return 2
	}
	f, err := os.Open(filepath.Join(*dir, "log", "warehouse.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "sakimori-sim warehouse-events:", err)
		return 2
	}
	defer f.Close()
	policies, err := warehouse.ReadPoliciesIn(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sakimori-sim warehouse-events:", err)
		return 2
	}
	logins, queries, err := warehouse.History(f, w.Show, policies)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sakimori-sim warehouse-events:", err)
		return 2
	}
	events := logins
	if *log == "query" {
		events = queries
	}
	if err := telemetry.WriteAll(os.Stdout, events); err != nil {
		return 2
	}
	return 0
}
