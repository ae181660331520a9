// Package docker is the lab runtime on a Docker Engine: it keeps the
// driver contract of labs/driver (create, destroy, status, list, exec),
// builds and imports the lab images, and reports whether the engine answers.
package docker

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/sakimori/sakimori/labs/driver"
)

// Engine is a connection to one Docker Engine, acting for one range.
type Engine struct {
	cli     *client.Client
	rangeID string            // labels every object; List sees only this range's
	images  map[string]string // image name as scenarios write it → this range's build of it
}

// ForRange returns an Engine on the same connection that acts for the
// range: several ranges (or test runs) can share one engine without one's
// reconciler removing another's labs.
func (e *Engine) ForRange(id string) *Engine {
	return &Engine{cli: e.cli, rangeID: id, images: e.images}
}

// WithImages returns an Engine on the same connection that runs, for each
// image name in tags (sakimori-lab/base:latest), the tag given for it:
// the range's own build, named by its content, which another range's
// build on the same engine never replaces. Other names run as written.
func (e *Engine) WithImages(tags map[string]string) *Engine {
	return &Engine{cli: e.cli, rangeID: e.rangeID, images: tags}
}

// image is the tag this Engine runs for an image name.
func (e *Engine) image(name string) string {
	if tag, ok := e.images[name]; ok {
		return tag
	}
	return name
}

// Connect makes a client for host (empty: DOCKER_HOST or the local socket).
// It negotiates the API version, since distributions ship older engines
// than the client module knows. It does not contact the engine.
func Connect(host string) (*Engine, error) {
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	return &Engine{cli: cli}, nil
}

// Scoped reports whether the Engine acts for one range.
func (e *Engine) Scoped() bool { return e.rangeID != "" }

// Host is the engine address in use.
func (e *Engine) Host() string { return e.cli.DaemonHost() }

// Ping checks the engine answers.
func (e *Engine) Ping(ctx context.Context) error {
	_, err := e.APIVersion(ctx)
	return err
}

// APIVersion asks the engine for the API version it speaks with us.
func (e *Engine) APIVersion(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	p, err := e.cli.Ping(ctx)
	if err != nil {
		return "", fmt.Errorf("docker engine at %s: %w: %w", e.cli.DaemonHost(), driver.ErrUnavailable, err)
	}
	return p.APIVersion, nil
}

// Close releases the client's connections.
func (e *Engine) Close() error { return e.cli.Close() }

// NetworkSubnets lists the subnets of every network on the engine, of
// any range or none, so a second user of the engine (a scenario
// rehearsal beside a running range) can keep clear of them.
func (e *Engine) NetworkSubnets(ctx context.Context) ([]netip.Prefix, error) {
	nets, err := e.cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return nil, e.fail("list networks", err)
	}
	var out []netip.Prefix
	for _, n := range nets {
		for _, c := range n.IPAM.Config {
			if p, err := netip.ParsePrefix(c.Subnet); err == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
