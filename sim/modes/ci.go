package modes

import (
	"context"
	"flag"
	"os"

	"github.com/sakimori/sakimori/sim/ci"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("ci", runCI)
	labkit.Register("ci-events", func(_ context.Context, args []string) error { return exit(runCIEvents(args)) })
}

// runCI serves the CI of CLOUDSIM_CI.
func runCI(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ci", flag.ContinueOnError)
	listen := fs.String("listen", ":80", "address to serve on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text, err := labkit.Setting("CLOUDSIM_CI")
	if err != nil {
		return err
	}
	world, err := ci.ParseWorld(text)
	if err != nil {
		return err
	}
	srv, err := ci.New(world, os.Getenv("CLOUDSIM_KEY"))
	if err != nil {
		return err
	}
	go srv.Run(ctx)
	return labkit.Serve(ctx, *listen, srv)
}

// runCIEvents prints one of the CI's logs (access, or the runner's
// process and network events) for a detection's live events.
func runCIEvents(args []string) int {
	fs := flag.NewFlagSet("ci-events", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "http://127.0.0.1", "the CI's address")
	log := fs.String("log", "runner", "access or runner")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return printEvents("ci-events", *endpoint+"/_sim/events?log="+*log)
}
