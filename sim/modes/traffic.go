package modes

import (
	"context"
	"fmt"
	"os"

	"github.com/sakimori/sakimori/sim/labkit"
)

// runTraffic runs one scripted user or intruder that a scenario registered.
func runTraffic(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: sakimori-sim traffic SCRIPT (have %v)", labkit.Scripts())
	}
	script, err := labkit.LookupScript(args[0])
	if err != nil {
		return err
	}
	return script(ctx, os.Getenv)
}
