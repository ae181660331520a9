package main

import (
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver/docker"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/store"
)

// newLabs wires the lab lifecycle: the built-in catalogue, the subnet pool
// minus whatever this host already routes, and the engine.
func newLabs(cfg config.Config, db *store.DB, engine *docker.Engine, secrets config.Secrets, log *slog.Logger) (*labs.Service, *labs.Pool, []netip.Prefix, error) {
	catalogue, err := labs.LoadCatalogue(scenarios.Files())
	if err != nil {
		return nil, nil, nil, err
	}
	pool, err := labs.NewPool(cfg.LabPool, cfg.LabSubnetBits)
	if err != nil {
		return nil, nil, nil, err
	}
	excluded := pool.Exclude(hostRoutes(log))
	if len(excluded) > 0 {
		log.Warn("the lab pool overlaps networks this host routes; those subnets are not used", "routes", excluded)
	}
	opt := labOptions(cfg, secrets.FlagKey, log)
	opt.Recordings, opt.RecordingsDir = db.Labs(), filepath.Join(cfg.DataDir, "recordings")
	svc, err := labs.NewService(db.Labs(), engine, catalogue, pool, opt)
	if err != nil {
		return nil, nil, nil, err
	}
	return svc, pool, excluded, nil
}

// labOptions are the lifecycle settings of cfg, on the wall clock.
func labOptions(cfg config.Config, flagKey []byte, log *slog.Logger) labs.Options {
	return labs.Options{
		Capacity: cfg.LabCapacity, ProvisionTimeout: cfg.LabProvisionTimeout,
		ExtendBy: cfg.LabExtendBy, MaxExtensions: cfg.LabMaxExtensions,
		FlagKey: flagKey, Now: time.Now, Logger: log,
	}
}

// hostRoutes reads this machine's IPv4 routes. Lab networks add none (the
// host takes no address on them), so any route inside the pool belongs to
// something else: a VPN, a cloud network, another container platform.
func hostRoutes(log *slog.Logger) []netip.Prefix {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		log.Warn("cannot read the host's routes; the lab pool is not checked against them", "err", err)
		return nil
	}
	defer f.Close()
	routes, err := labs.ParseRoutes(f)
	if err != nil {
		log.Warn("cannot parse the host's routes", "err", err)
	}
	return routes
}
