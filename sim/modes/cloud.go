package modes

import (
	"context"
	"flag"
	"os"

	"github.com/sakimori/sakimori/sim/aws"
	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/labkit"
)

// runCloud serves the emulated cloud account of CLOUDSIM_WORLD.
func runCloud(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("cloud", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve the API on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, err := labkit.Setting("CLOUDSIM_WORLD")
	if err != nil {
		return err
	}
	world, err := account.ParseWorld(text)
	if err != nil {
		return err
	}
	srv, err := aws.New(world, os.Getenv("CLOUDSIM_KEY"))
	if err != nil {
		return err
	}
	go srv.Run(ctx)
	return labkit.Serve(ctx, *listen, srv)
}
