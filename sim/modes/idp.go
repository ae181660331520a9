package modes

import (
	"context"
	"flag"
	"os"

	"github.com/sakimori/sakimori/sim/idp"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("idp", runIdP)
	labkit.Register("idp-events", func(_ context.Context, args []string) error { return exit(runIdPEvents(args)) })
}

// runIdP serves the identity provider of CLOUDSIM_IDP.
func runIdP(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("idp", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, err := labkit.Setting("CLOUDSIM_IDP")
	if err != nil {
		return err
	}
	world, err := idp.ParseWorld(text)
	if err != nil {
		return err
	}
	srv, err := idp.New(world, os.Getenv("CLOUDSIM_KEY"))
	if err != nil {
		return err
	}
	return labkit.Serve(ctx, *listen, srv)
}

// runIdPEvents prints the IdP's System Log for a detection's live events.
func runIdPEvents(args []string) int {
	fs := flag.NewFlagSet("idp-events", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1", "the IdP's address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return printEvents("idp-events", *endpoint+"/_sim/events")
}
