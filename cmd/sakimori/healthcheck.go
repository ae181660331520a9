package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sakimori/sakimori/config"
)

// healthcheck asks a running server's /healthz and succeeds only on 200.
// The platform image has no shell or curl, so its container health check
// runs the binary itself.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	settings := config.Register(fs, getenv, config.HealthcheckSettings...)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := settings.Config()
	if err != nil {
		return err
	}
	url := cfg.HealthcheckURL
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d", url, resp.StatusCode)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
