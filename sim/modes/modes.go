// Package modes holds the lab side's generic modes, the ones no single
// scenario owns: the emulated cloud account, an instance with its
// metadata service, a git server, scripted traffic, the platform's state
// checks and the audit trail reader. Importing it registers them with
// labkit; scenarios register their own apps and scripts beside them.
package modes

import (
	"context"

	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("cloud", runCloud)
	labkit.Register("instance", runInstance)
	labkit.Register("git", runGit)
	labkit.Register("traffic", runTraffic)
	labkit.Register("probe", func(_ context.Context, args []string) error { return exit(runProbe(args)) })
	labkit.Register("dns", runDNS)
	labkit.Register("trail", func(_ context.Context, args []string) error { return exit(runTrail(args)) })
}

// exit turns a check's status into the binary's.
func exit(code int) error {
	if code == 0 {
		return nil
	}
	return labkit.ExitCode(code)
}
