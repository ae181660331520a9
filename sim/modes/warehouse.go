package modes

import (
	"context"
	"flag"
	"os"
	"path/filepath"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/warehouse"
)

func init() {
	labkit.Register("warehouse", runWarehouse)
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
