package modes

import (
	"context"
	"flag"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/ci/runner"
	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("ci-runner", runCIRunner)
}

// runCIRunner takes jobs from the CI at CI_SERVER with RUNNER_TOKEN and
// runs them on this host, reporting their processes and connections with
// the story's addresses of RUNNER_ADDRESSES. DB_KEY_BASE, when the CI
// hides variables, opens them.
func runCIRunner(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ci-runner", flag.ContinueOnError)
	builds := fs.String("builds", "/tmp/builds", "where jobs' work trees go, one per project")
	if err := fs.Parse(args); err != nil {
		return err
	}
	server, err := labkit.Setting("CI_SERVER")
	if err != nil {
		return err
	}
	token, err := labkit.Setting("RUNNER_TOKEN")
	if err != nil {
		return err
	}
	addrs, err := runner.ParseAddresses(os.Getenv("RUNNER_ADDRESSES"))
	if err != nil {
		return err
	}
	host, err := os.Hostname()
	if err != nil {
		return err
	}
	r := &runner.Runner{
		CI: strings.TrimRight(server, "/"), Token: token, Hostname: host, Builds: *builds,
		Env: runner.BaseEnv(os.Getenv), Addresses: addrs,
		HTTP: &http.Client{Timeout: 30 * time.Second}, DBKeyBase: os.Getenv("DB_KEY_BASE"),
	}
	labkit.Logger.Info("taking jobs", "ci", server, "runner", host)
	return r.Run(ctx)
}
