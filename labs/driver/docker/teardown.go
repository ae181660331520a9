package docker

import (
	"context"
	"errors"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/sakimori/sakimori/labs/driver"
)

// DestroyRange removes every container, then every network, that carries
// this range's label, of any instance or none: how a test's range leaves
// the engine as it found it, whatever the test did or failed to do. Like
// Destroy it tries everything, and what is already gone is success. An
// Engine acting for no range refuses, rather than remove everyone's labs.
func (e *Engine) DestroyRange(ctx context.Context) error {
	if e.rangeID == "" {
		return errors.New("destroy range: this engine acts for no range")
	}
	ours := filters.NewArgs(filters.Arg("label", driver.LabelRange+"="+e.rangeID))
	containers, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: ours})
	if err != nil {
		return e.fail("list the range's containers", err)
	}
	var errs []error
	for _, c := range containers {
		err := e.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, e.fail("remove container "+c.ID[:12], err))
		}
	}
	networks, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: ours})
	if err != nil {
		return errors.Join(append(errs, e.fail("list the range's networks", err))...)
	}
	for _, n := range networks {
		if err := e.cli.NetworkRemove(ctx, n.ID); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, e.fail("remove network "+n.Name, err))
		}
	}
	return errors.Join(errs...)
}

// RangeObjects counts the containers and networks that carry this range's
// label, for tests that show a range left nothing behind.
func (e *Engine) RangeObjects(ctx context.Context) (int, error) {
	ours := filters.NewArgs(filters.Arg("label", driver.LabelRange+"="+e.rangeID))
	containers, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: ours})
	if err != nil {
		return 0, e.fail("list the range's containers", err)
	}
	networks, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: ours})
	if err != nil {
		return 0, e.fail("list the range's networks", err)
	}
	return len(containers) + len(networks), nil
}

// RangeID is the range this Engine acts for ("" for none).
func (e *Engine) RangeID() string { return e.rangeID }
