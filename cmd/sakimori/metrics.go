package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/server"
)

// serveMetrics serves /metrics alone on the metrics address, so it can be
// kept to a monitoring network; the returned func stops it.
func serveMetrics(cfg config.Config, reg *prometheus.Registry, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", cfg.MetricsListen)
	if err != nil {
		return nil, fmt.Errorf("metrics listen: %w", err)
	}
	srv := &http.Server{
		Handler:           server.MetricsHandler(reg, cfg.MetricsToken),
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "err", err)
		}
	}()
	log.Info("metrics served on their own address", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// metricsWhere says where /metrics is served and whether it needs a token,
// for the start-up summary.
func metricsWhere(cfg config.Config) string {
	where := "/metrics on the public port"
	if cfg.MetricsListen != "" {
		where = "/metrics on " + cfg.MetricsListen + " only"
	}
	if cfg.MetricsToken == "" {
		return where + ", no token (keep it to your monitoring network)"
	}
	return where + ", bearer token required"
}
