package modes

import (
	"context"
	"errors"
	"os"

	"github.com/sakimori/sakimori/sim/labdns"
)

// runDNS is the lab's own resolver (sakimori-sim dns). The platform runs
// it in every lab and describes the lab in SAKIMORI_DNS: each address to
// listen on, with the host names answered there.
func runDNS(ctx context.Context, _ []string) error {
	text := os.Getenv("SAKIMORI_DNS")
	if text == "" {
		return errors.New("SAKIMORI_DNS is not set")
	}
	zones, err := labdns.ParseZones(text)
	if err != nil {
		return err
	}
	return labdns.Serve(ctx, zones, 53)
}
