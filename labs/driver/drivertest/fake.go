package drivertest

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Fake is an in-memory driver: it keeps networks and hosts as labelled
// records, runs commands as small Go programs (see Program), and fails on
// demand, so the lifecycle and the API can be tested without a runtime.
// It passes Run. Values from ForRange share one runtime, as several
// ranges share an engine; faults apply to the whole runtime.
//
// A fake host runs until it is destroyed, whatever its command, except
// `sh -c "exit N"`, which exits at once with code N (a broken scenario).
type Fake struct {
	rt      *runtime
	rangeID string
}

var _ driver.Driver = (*Fake)(nil)

type runtime struct {
	mu       sync.Mutex
	objects  map[string]*object // by name, as a runtime names them
	images   map[string]bool    // nil: every image is present
	programs map[string]Program
	faults   faults
}

// object is a network (with its subnet) or a host (host != nil).
type object struct {
	labels map[string]string
	subnet netip.Prefix
	host   *host
}

type host struct {
	spec      driver.HostSpec
	processes int64 // as SetProcesses says
	pidsLimit int64
	running   bool
	started   time.Time
	exitCode  int
	addrs     map[string]netip.Addr
	stop      context.CancelFunc // ends every session in the host
	ctx       context.Context
}

// NewFake is a fake runtime holding the given images (none: every image),
// acting for no range in particular.
func NewFake(images ...string) *Fake {
	rt := &runtime{objects: map[string]*object{}, programs: map[string]Program{}}
	if len(images) > 0 {
		rt.images = map[string]bool{}
		for _, img := range images {
			rt.images[img] = true
		}
	}
	return &Fake{rt: rt}
}

// ForRange is a driver on the same runtime acting for range id.
func (f *Fake) ForRange(id string) *Fake { return &Fake{rt: f.rt, rangeID: id} }

// Restarted is a new driver value for f's range, as after the platform
// restarts: what the runtime holds is still there.
func (f *Fake) Restarted() *Fake { return &Fake{rt: f.rt, rangeID: f.rangeID} }

func objectName(instance, name string) string { return "sakimori/" + instance + "/" + name }

// Squat makes a network under spec's first network name that belongs to
// spec.ID+"-squatter", as Options.Squat asks.
func (f *Fake) Squat(spec driver.InstanceSpec) {
	squatter := spec
	squatter.ID = spec.ID + "-squatter"
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	f.rt.objects[objectName(spec.ID, spec.Networks[0].Name)] = &object{labels: f.labels(squatter, driver.LabelNetwork, spec.Networks[0].Name)}
}

func (f *Fake) labels(spec driver.InstanceSpec, kind, name string) map[string]string {
	l := map[string]string{
		driver.LabelInstance: spec.ID, driver.LabelTrainee: spec.Trainee, driver.LabelScenario: spec.Scenario,
		driver.LabelExpires: spec.Expires.UTC().Format(time.RFC3339), kind: name,
	}
	if f.rangeID != "" {
		l[driver.LabelRange] = f.rangeID
	}
	return l
}

// ours reports whether an object is of this driver's range.
func (f *Fake) ours(o *object) bool {
	_, owned := o.labels[driver.LabelInstance]
	return owned && (f.rangeID == "" || o.labels[driver.LabelRange] == f.rangeID)
}

// Ping answers unless the runtime is unavailable.
func (f *Fake) Ping(ctx context.Context) error { return f.rt.faults.check(OpPing) }

// Create makes the instance's networks and hosts, adopting those of the
// same instance that exist, refusing names another instance holds.
func (f *Fake) Create(ctx context.Context, spec driver.InstanceSpec) error {
	if err := f.rt.faults.check(OpCreate); err != nil {
		return err
	}
	if err := f.rt.faults.slow(ctx); err != nil {
		return err
	}
	rt := f.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, n := range spec.Networks {
		if err := f.ensureNetwork(spec, n); err != nil {
			return err
		}
	}
	for _, h := range spec.Hosts {
		if rt.images != nil && !rt.images[h.Image] {
			return fmt.Errorf("%w: %s", driver.ErrImage, h.Image)
		}
		if len(h.Networks) == 0 {
			return fmt.Errorf("host %s: no network", h.Name)
		}
		if len(h.Files) > 0 && h.ReadOnly {
			return fmt.Errorf("host %s: files need a writable root", h.Name)
		}
		if err := f.ensure(spec, objectName(spec.ID, h.Name), driver.LabelHost, h.Name, func() *host { return f.newHost(spec, h) }); err != nil {
			return err
		}
	}
	return rt.faults.afterCreate()
}

// ensureNetwork makes a network as ensure does, refusing a subnet that
// overlaps any network on the runtime, as an engine's address pools do.
// Called with the runtime locked.
func (f *Fake) ensureNetwork(spec driver.InstanceSpec, n driver.NetworkSpec) error {
	name := objectName(spec.ID, n.Name)
	if _, ok := f.rt.objects[name]; !ok {
		for other, o := range f.rt.objects {
			if o.subnet.IsValid() && o.subnet.Overlaps(n.Subnet) {
				return fmt.Errorf("network %s on %s: %w (held by %s)", n.Name, n.Subnet, driver.ErrSubnetTaken, other)
			}
		}
	}
	if err := f.ensure(spec, name, driver.LabelNetwork, n.Name, nil); err != nil {
		return err
	}
	f.rt.objects[name].subnet = n.Subnet
	return nil
}

// ensure makes an object unless one of the same instance has the name;
// a host is started only when it is made. Called with the runtime locked.
func (f *Fake) ensure(spec driver.InstanceSpec, name, kind, specName string, start func() *host) error {
	if o, ok := f.rt.objects[name]; ok {
		if o.labels[driver.LabelInstance] != spec.ID || !f.ours(o) {
			return fmt.Errorf("%w: %s", driver.ErrConflict, name)
		}
		return nil
	}
	o := &object{labels: f.labels(spec, kind, specName)}
	if start != nil {
		o.host = start()
	}
	f.rt.objects[name] = o
	return nil
}

// HoldSubnet puts on the runtime a network on subnet that no driver made
// (another platform's, or one someone made by hand), as a test asks.
// It is never listed and never destroyed.
func (f *Fake) HoldSubnet(subnet netip.Prefix) {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	f.rt.objects["held/"+subnet.String()] = &object{labels: map[string]string{}, subnet: subnet}
}

// NetworkSubnets lists the subnet of every network on the runtime, of
// every range and of none.
func (f *Fake) NetworkSubnets(ctx context.Context) ([]netip.Prefix, error) {
	if err := f.rt.faults.check(OpNetworks); err != nil {
		return nil, err
	}
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	var out []netip.Prefix
	for _, o := range f.rt.objects {
		if o.subnet.IsValid() {
			out = append(out, o.subnet)
		}
	}
	return out, nil
}

// newHost starts a host: addresses from its networks' subnets (the fixed
// one if given), and running unless its command exits at once.
func (f *Fake) newHost(spec driver.InstanceSpec, h driver.HostSpec) *host {
	ctx, stop := context.WithCancel(context.Background())
	out := &host{spec: h, running: true, started: time.Now(), addrs: map[string]netip.Addr{}, ctx: ctx, stop: stop}
	for _, n := range h.Networks {
		out.addrs[n.Network] = n.IP
		if !n.IP.IsValid() {
			out.addrs[n.Network] = f.freeAddress(spec, n.Network)
		}
	}
	if code, exits := exitsAtOnce(h.Command); exits {
		out.running, out.exitCode = false, code
		stop()
	}
	return out
}

// freeAddress is the first address of the network's subnet after the
// gateway's that no host of the instance holds. Called with the runtime
// locked.
func (f *Fake) freeAddress(spec driver.InstanceSpec, network string) netip.Addr {
	var subnet netip.Prefix
	taken := map[netip.Addr]bool{}
	for _, n := range spec.Networks {
		if n.Name == network {
			subnet = n.Subnet
		}
	}
	for _, h := range spec.Hosts {
		for _, n := range h.Networks {
			if n.Network == network && n.IP.IsValid() {
				taken[n.IP] = true
			}
		}
		if o, ok := f.rt.objects[objectName(spec.ID, h.Name)]; ok && o.host != nil {
			taken[o.host.addrs[network]] = true
		}
	}
	addr := subnet.Masked().Addr().Next().Next()
	for taken[addr] && subnet.Contains(addr) {
		addr = addr.Next()
	}
	return addr
}

// SetProcesses makes a host of the instance report n processes of at
// most limit, as if a trainee had started them (a fork bomb: n = limit).
func (f *Fake) SetProcesses(instanceID, hostName string, n, limit int64) {
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	if o, ok := f.rt.objects[objectName(instanceID, hostName)]; ok && o.host != nil {
		o.host.processes, o.host.pidsLimit = n, limit
	}
}

// Destroy removes every object of the instance in this range, ending the
// sessions in its hosts.
func (f *Fake) Destroy(ctx context.Context, instanceID string) error {
	if err := f.rt.faults.check(OpDestroy); err != nil {
		return err
	}
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	for name, o := range f.rt.objects {
		if f.ours(o) && o.labels[driver.LabelInstance] == instanceID {
			if o.host != nil {
				o.host.stop()
			}
			delete(f.rt.objects, name)
		}
	}
	return nil
}

// Status reports every host of the instance in this range.
func (f *Fake) Status(ctx context.Context, instanceID string) (driver.InstanceStatus, error) {
	if err := f.rt.faults.check(OpStatus); err != nil {
		return driver.InstanceStatus{}, err
	}
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	st := driver.InstanceStatus{ID: instanceID}
	for _, o := range f.rt.objects {
		if o.host == nil || !f.ours(o) || o.labels[driver.LabelInstance] != instanceID {
			continue
		}
		addrs := map[string]netip.Addr{}
		for k, v := range o.host.addrs {
			addrs[k] = v
		}
		st.Hosts = append(st.Hosts, driver.HostState{Name: o.host.spec.Name, Running: o.host.running, StartedAt: o.host.started, ExitCode: o.host.exitCode, Addresses: addrs,
			Processes: o.host.processes, ProcessLimit: o.host.pidsLimit})
	}
	if len(st.Hosts) == 0 {
		return driver.InstanceStatus{}, driver.ErrNotFound
	}
	sort.Slice(st.Hosts, func(i, j int) bool { return st.Hosts[i].Name < st.Hosts[j].Name })
	return st, nil
}

// List finds every instance of this range by its objects' labels.
func (f *Fake) List(ctx context.Context) ([]driver.InstanceRef, error) {
	if err := f.rt.faults.check(OpList); err != nil {
		return nil, err
	}
	f.rt.mu.Lock()
	defer f.rt.mu.Unlock()
	refs := map[string]*driver.InstanceRef{}
	for _, o := range f.rt.objects {
		if !f.ours(o) {
			continue
		}
		id := o.labels[driver.LabelInstance]
		r, ok := refs[id]
		if !ok {
			expires, _ := time.Parse(time.RFC3339, o.labels[driver.LabelExpires])
			r = &driver.InstanceRef{ID: id, Trainee: o.labels[driver.LabelTrainee], Scenario: o.labels[driver.LabelScenario], Expires: expires}
			refs[id] = r
		}
		r.Objects++
	}
	out := make([]driver.InstanceRef, 0, len(refs))
	for _, r := range refs {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Exec runs a command of the fake's (see Program) in a running host.
func (f *Fake) Exec(ctx context.Context, instanceID, hostName string, req driver.ExecRequest) (driver.ExecSession, error) {
	if err := f.rt.faults.check(OpExec); err != nil {
		return nil, err
	}
	f.rt.mu.Lock()
	o, ok := f.rt.objects[objectName(instanceID, hostName)]
	if !ok || o.host == nil || !f.ours(o) || o.labels[driver.LabelInstance] != instanceID {
		f.rt.mu.Unlock()
		return nil, fmt.Errorf("%w: host %s", driver.ErrNotFound, hostName)
	}
	h := o.host
	f.rt.mu.Unlock()
	if !h.running {
		return nil, fmt.Errorf("host %s is not running", hostName)
	}
	if len(req.Command) == 0 {
		return nil, errors.New("exec: no command")
	}
	env := map[string]string{}
	for k, v := range h.spec.Env {
		env[k] = v
	}
	for _, kv := range req.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return f.start(h, instanceID, req, env), nil
}
