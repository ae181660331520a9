package main

import (
	"context"
	"fmt"

	"github.com/sakimori/sakimori/labs/cloudsim/traffic"
)

func runTraffic(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: cloudsim traffic SCRIPT")
	}
	return traffic.Run(ctx, args[0])
}
