package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"golang.org/x/sync/errgroup"

	"github.com/sakimori/sakimori/labs/driver"
)

var _ driver.Driver = (*Engine)(nil)

// hostsStartedAtOnce bounds how many of a lab's hosts are created and
// started side by side: enough for every built-in scenario at once, few
// enough that a large one does not flood the engine.
const hostsStartedAtOnce = 6

// Create makes the instance's networks and hosts and starts the hosts,
// adopting any that an earlier, interrupted Create of the same instance made.
// Hosts are made and started side by side: every address is decided before
// (addresses.go), so no host can take another's.
func (e *Engine) Create(ctx context.Context, spec driver.InstanceSpec) error {
	spec, err := withAddresses(spec)
	if err != nil {
		return err
	}
	for _, n := range spec.Networks {
		if err := e.ensureNetwork(ctx, spec, n); err != nil {
			return err
		}
	}
	// The resolver comes first, so that it answers from the moment the
	// first host starts.
	if err := e.ensureResolver(ctx, spec); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(hostsStartedAtOnce)
	for _, h := range spec.Hosts {
		g.Go(func() error { return e.startHost(gctx, spec, h) })
	}
	return g.Wait()
}

// startHost makes one host (or adopts it), starts it and gives it its
// loopback addresses.
func (e *Engine) startHost(ctx context.Context, spec driver.InstanceSpec, h driver.HostSpec) error {
	id, err := e.ensureContainer(ctx, spec, h)
	if err != nil {
		return err
	}
	if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return e.fail("start host "+h.Name, err)
	}
	return e.addLoopback(ctx, spec, h, id)
}

// addLoopback puts a host's extra loopback addresses in its network
// namespace with a one-shot helper container that joins that namespace
// with NET_ADMIN and exits; the lab host's own processes never hold it.
func (e *Engine) addLoopback(ctx context.Context, spec driver.InstanceSpec, h driver.HostSpec, id string) error {
	for _, addr := range h.LoopbackAddrs {
		cfg, hc := loopbackHelper(spec, h, id, addr)
		cfg.Image = e.image(cfg.Image)
		e.stamp(cfg.Labels)
		made, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, "")
		if err != nil {
			return e.fail("prepare loopback of "+h.Name, err)
		}
		err = e.runToEnd(ctx, made.ID)
		_ = e.cli.ContainerRemove(context.WithoutCancel(ctx), made.ID, container.RemoveOptions{Force: true})
		if err != nil {
			return e.fail("add "+addr.String()+" to "+h.Name, err)
		}
	}
	return nil
}

func (e *Engine) runToEnd(ctx context.Context, id string) error {
	waitC, errC := e.cli.ContainerWait(ctx, id, container.WaitConditionNextExit)
	if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return err
	}
	select {
	case w := <-waitC:
		if w.StatusCode != 0 {
			return fmt.Errorf("helper exited %d", w.StatusCode)
		}
		return nil
	case err := <-errC:
		return err
	}
}

func (e *Engine) ensureNetwork(ctx context.Context, spec driver.InstanceSpec, n driver.NetworkSpec) error {
	name := networkName(spec.ID, n.Name)
	existing, err := e.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	switch {
	case err == nil:
		return e.adopt(name, existing.Labels, spec.ID)
	case !cerrdefs.IsNotFound(err):
		return e.fail("inspect network "+n.Name, err)
	}
	opts := networkCreate(spec, n)
	e.stamp(opts.Labels)
	_, err = e.cli.NetworkCreate(ctx, name, opts)
	if cerrdefs.IsPermissionDenied(err) {
		// The engine forbids a network whose subnet overlaps one it has
		// ("Pool overlaps with other one on this address space"): our
		// request names its subnet, so that is the only refusal of its kind.
		return fmt.Errorf("create network %s on %s: %w: %w", n.Name, n.Subnet, driver.ErrSubnetTaken, err)
	}
	if err != nil {
		return e.fail("create network "+n.Name, err)
	}
	return nil
}

func (e *Engine) ensureContainer(ctx context.Context, spec driver.InstanceSpec, h driver.HostSpec) (string, error) {
	name := containerName(spec.ID, h.Name)
	existing, err := e.cli.ContainerInspect(ctx, name)
	switch {
	case err == nil:
		// An earlier Create made it; its extra networks may or may not be
		// connected yet, so connect whichever are missing.
		if err := e.adopt(name, existing.Config.Labels, spec.ID); err != nil {
			return "", err
		}
		if existing.State != nil && startedAt(existing.State.StartedAt).IsZero() {
			// Made, but the Create that made it ended before starting it:
			// its files may not be in yet, and copying them again is safe.
			if err := e.copyFiles(ctx, existing.ID, existing.Config.Image, h); err != nil {
				return "", err
			}
		}
		return existing.ID, e.connectRest(ctx, spec, h, existing.ID, existing.NetworkSettings.Networks)
	case !cerrdefs.IsNotFound(err):
		return "", e.fail("inspect host "+h.Name, err)
	}
	cfg, hc, nc, err := containerCreate(spec, h)
	if err != nil {
		return "", err
	}
	cfg.Image = e.image(cfg.Image)
	e.stamp(cfg.Labels)
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nc, nil, name)
	if cerrdefs.IsNotFound(err) {
		return "", missingImage(cfg.Image)
	}
	if err != nil {
		return "", e.fail("create host "+h.Name, err)
	}
	if err := e.copyFiles(ctx, created.ID, cfg.Image, h); err != nil {
		return "", err
	}
	return created.ID, e.connectRest(ctx, spec, h, created.ID, nil)
}

// ensureResolver makes and starts the lab's resolver on every network of
// the spec, or adopts the one an earlier Create made.
func (e *Engine) ensureResolver(ctx context.Context, spec driver.InstanceSpec) error {
	if len(spec.Networks) == 0 {
		return nil
	}
	name := containerName(spec.ID, resolverHost)
	id := ""
	have := map[string]*network.EndpointSettings{}
	existing, err := e.cli.ContainerInspect(ctx, name)
	switch {
	case err == nil:
		if err := e.adopt(name, existing.Config.Labels, spec.ID); err != nil {
			return err
		}
		id, have = existing.ID, existing.NetworkSettings.Networks
	case !cerrdefs.IsNotFound(err):
		return e.fail("inspect the lab's resolver", err)
	default:
		cfg, hc, nc := resolverCreate(spec)
		cfg.Image = e.image(cfg.Image)
		e.stamp(cfg.Labels)
		created, err := e.cli.ContainerCreate(ctx, cfg, hc, nc, nil, name)
		if cerrdefs.IsNotFound(err) {
			return missingImage(cfg.Image)
		}
		if err != nil {
			return e.fail("create the lab's resolver", err)
		}
		id = created.ID
		have[networkName(spec.ID, spec.Networks[0].Name)] = nil
	}
	at := resolverAddrs(spec)
	for _, n := range spec.Networks {
		if _, ok := have[networkName(spec.ID, n.Name)]; ok {
			continue
		}
		if err := e.cli.NetworkConnect(ctx, networkName(spec.ID, n.Name), id, resolverEndpoint(at[n.Name])); err != nil {
			return e.fail("connect the lab's resolver to "+n.Name, err)
		}
	}
	if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return e.fail("start the lab's resolver", err)
	}
	return nil
}

func (e *Engine) connectRest(ctx context.Context, spec driver.InstanceSpec, h driver.HostSpec, id string, have map[string]*network.EndpointSettings) error {
	for _, n := range h.Networks[1:] {
		name := networkName(spec.ID, n.Network)
		if _, ok := have[name]; ok {
			continue
		}
		if err := e.cli.NetworkConnect(ctx, name, id, endpoint(h.Name, n)); err != nil {
			return e.fail("connect "+h.Name+" to "+n.Network, err)
		}
	}
	return nil
}

func missingImage(tag string) error {
	return fmt.Errorf("%w: %s (build lab images with: sakimori images build)", driver.ErrImage, tag)
}

// adopt accepts an existing object only if it belongs to the same
// instance of the same range.
func (e *Engine) adopt(name string, labels map[string]string, instance string) error {
	if labels[driver.LabelInstance] != instance || !e.ours(labels) {
		return fmt.Errorf("%w: %s", driver.ErrConflict, name)
	}
	return nil
}

// Destroy removes every container, then every network, of the instance.
// It tries everything and returns what failed; objects already gone are
// success. Containers are removed with force, which kills them first.
func (e *Engine) Destroy(ctx context.Context, instanceID string) error {
	byLabel := e.instanceFilter(instanceID)
	containers, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: byLabel})
	if err != nil {
		return e.fail("list hosts", err)
	}
	var errs []error
	for _, c := range containers {
		err := e.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, e.fail("remove host "+c.Labels[driver.LabelHost], err))
		}
	}
	networks, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: byLabel})
	if err != nil {
		return errors.Join(append(errs, e.fail("list networks", err))...)
	}
	for _, n := range networks {
		if err := e.cli.NetworkRemove(ctx, n.ID); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, e.fail("remove network "+n.Labels[driver.LabelNetwork], err))
		}
	}
	return errors.Join(errs...)
}

// Status inspects every host of the instance.
func (e *Engine) Status(ctx context.Context, instanceID string) (driver.InstanceStatus, error) {
	byLabel := e.instanceFilter(instanceID)
	containers, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: byLabel})
	if err != nil {
		return driver.InstanceStatus{}, e.fail("list hosts", err)
	}
	if len(containers) == 0 {
		return driver.InstanceStatus{}, driver.ErrNotFound
	}
	st := driver.InstanceStatus{ID: instanceID}
	prefix := networkName(instanceID, "")
	for _, c := range containers {
		if helperHost(c.Labels[driver.LabelHost]) {
			continue // the lab's resolver, or a helper mid-run: not a host
		}
		info, err := e.cli.ContainerInspect(ctx, c.ID)
		if cerrdefs.IsNotFound(err) {
			continue // removed while we looked
		}
		if err != nil {
			return driver.InstanceStatus{}, e.fail("inspect host", err)
		}
		hs := driver.HostState{
			Name:      info.Config.Labels[driver.LabelHost],
			Running:   info.State.Running && !info.State.Restarting,
			StartedAt: startedAt(info.State.StartedAt),
			Restarts:  info.RestartCount,
			ExitCode:  info.State.ExitCode,
			OOMKilled: info.State.OOMKilled,
			Addresses: map[string]netip.Addr{},
		}
		for name, ep := range info.NetworkSettings.Networks {
			if addr, err := netip.ParseAddr(ep.IPAddress); err == nil {
				hs.Addresses[strings.TrimPrefix(name, prefix)] = addr
			}
		}
		if hs.Running {
			hs.Processes, hs.ProcessLimit = e.processes(ctx, c.ID)
			if info.HostConfig != nil && info.HostConfig.PidsLimit != nil && *info.HostConfig.PidsLimit > 0 {
				hs.ProcessLimit = *info.HostConfig.PidsLimit
			}
		}
		st.Hosts = append(st.Hosts, hs)
	}
	return st, nil
}

// startedAt reads the engine's record of a host's last start; zero if
// the host never started or the engine wrote something else.
func startedAt(engine string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, engine)
	if err != nil || t.Year() < 2000 { // a host never started reads 0001-01-01
		return time.Time{}
	}
	return t
}

// processes reads a host's pids cgroup (current and limit) from the
// engine's statistics; zeros if the engine cannot say, since a host's
// state does not hang on them.
func (e *Engine) processes(ctx context.Context, id string) (int64, int64) {
	resp, err := e.cli.ContainerStatsOneShot(ctx, id)
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	var stats container.StatsResponse
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		return 0, 0
	}
	return int64(stats.PidsStats.Current), int64(stats.PidsStats.Limit)
}

// instanceFilter finds the instance's objects in this range only: another
// range's instance of the same id is neither seen nor touched.
func (e *Engine) instanceFilter(instanceID string) filters.Args {
	f := filters.NewArgs(filters.Arg("label", driver.LabelInstance+"="+instanceID))
	if e.rangeID != "" {
		f.Add("label", driver.LabelRange+"="+e.rangeID)
	}
	return f
}

// ours reports whether an object with these labels is of this range.
func (e *Engine) ours(labels map[string]string) bool {
	return e.rangeID == "" || labels[driver.LabelRange] == e.rangeID
}

// stamp marks an object as this range's.
func (e *Engine) stamp(labels map[string]string) {
	if e.rangeID != "" {
		labels[driver.LabelRange] = e.rangeID
	}
}

// List finds every instance of this range with objects in the engine.
func (e *Engine) List(ctx context.Context) ([]driver.InstanceRef, error) {
	ours := filters.NewArgs(filters.Arg("label", driver.LabelInstance))
	if e.rangeID != "" {
		ours.Add("label", driver.LabelRange+"="+e.rangeID)
	}
	containers, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: ours})
	if err != nil {
		return nil, e.fail("list hosts", err)
	}
	networks, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: ours})
	if err != nil {
		return nil, e.fail("list networks", err)
	}
	refs := map[string]*driver.InstanceRef{}
	add := func(labels map[string]string) {
		id := labels[driver.LabelInstance]
		r, ok := refs[id]
		if !ok {
			r = &driver.InstanceRef{ID: id, Trainee: labels[driver.LabelTrainee], Scenario: labels[driver.LabelScenario], Expires: expiresOf(labels)}
			refs[id] = r
		}
		if !helperHost(labels[driver.LabelHost]) {
			r.Objects++
		}
	}
	for _, c := range containers {
		add(c.Labels)
	}
	for _, n := range networks {
		add(n.Labels)
	}
	out := make([]driver.InstanceRef, 0, len(refs))
	for _, r := range refs {
		out = append(out, *r)
	}
	return out, nil
}

// fail wraps an engine error with what was being done, marking errors that
// mean the engine cannot be reached so callers can answer 503.
func (e *Engine) fail(doing string, err error) error {
	if client.IsErrConnectionFailed(err) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w: %w", doing, driver.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
