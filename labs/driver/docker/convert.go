package docker

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/sakimori/sakimori/labs/driver"
)

// This file turns a driver.InstanceSpec into Docker API types. It is pure:
// no engine is contacted, so every hardening default is table-tested.

// The hardening every lab container gets (docs/security.md, CIS Docker 5.x).
const (
	// Lab processes are the first the kernel kills under memory pressure,
	// before the platform or the engine.
	labOOMScoreAdj = 500
)

// Bridge options for every lab network: the host takes no address on it
// (so a lab can never reach the host, and the host gains no route), and
// nothing is masqueraded out.
var labNetworkOptions = map[string]string{
	"com.docker.network.bridge.inhibit_ipv4":         "true",
	"com.docker.network.bridge.enable_ip_masquerade": "false",
}

// containerName and networkName are the engine names of an instance's
// objects; a name encodes its instance so a retry finds what it made.
func containerName(instance, host string) string { return "sakimori-" + instance + "-" + host }
func networkName(instance, net string) string    { return "sakimori-" + instance + "-" + net }

// labelsFor are the labels on every object of the instance.
func labelsFor(spec driver.InstanceSpec) map[string]string {
	return map[string]string{
		driver.LabelInstance: spec.ID,
		driver.LabelTrainee:  spec.Trainee,
		driver.LabelScenario: spec.Scenario,
		driver.LabelExpires:  spec.Expires.UTC().Format(time.RFC3339),
	}
}

func withLabel(base map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(base)+1)
	for key, val := range base {
		out[key] = val
	}
	out[k] = v
	return out
}

// networkCreate is the create request for one of the instance's networks.
func networkCreate(spec driver.InstanceSpec, n driver.NetworkSpec) network.CreateOptions {
	return network.CreateOptions{
		Driver:   "bridge",
		Internal: true, // no route out of the lab
		IPAM: &network.IPAM{
			Driver: "default",
			// The gateway is named so that the address plan and the engine
			// agree on it (addresses.go).
			Config: []network.IPAMConfig{{Subnet: n.Subnet.String(), Gateway: gatewayOf(n.Subnet).String()}},
		},
		Options: labNetworkOptions,
		Labels:  withLabel(labelsFor(spec), driver.LabelNetwork, n.Name),
	}
}

// containerCreate is the create request for one host: its config, host
// config, and the network it starts attached to. The rest of its networks
// are connected before start (engines before API 1.44 take one at create).
func containerCreate(spec driver.InstanceSpec, h driver.HostSpec) (*container.Config, *container.HostConfig, *network.NetworkingConfig, error) {
	if len(h.Networks) == 0 {
		return nil, nil, nil, fmt.Errorf("host %s: no network", h.Name)
	}
	if len(h.Files) > 0 && h.ReadOnly {
		// The engine will not copy into a read-only root, and a file left
		// out would be a lab that cannot be solved.
		return nil, nil, nil, fmt.Errorf("host %s: files need a writable root", h.Name)
	}
	cfg := &container.Config{
		Image:      h.Image,
		Cmd:        h.Command,
		Env:        envList(h.Env),
		User:       h.User,
		WorkingDir: h.WorkingDir,
		Hostname:   h.Name,
		Labels:     withLabel(labelsFor(spec), driver.LabelHost, h.Name),
	}
	limits := withDefaults(h.Limits)
	pids := limits.Pids
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(networkName(spec.ID, h.Networks[0].Network)),
		CapDrop:        []string{"ALL"},
		CapAdd:         h.CapAdd,
		SecurityOpt:    []string{"no-new-privileges:true"},
		ReadonlyRootfs: h.ReadOnly,
		Tmpfs:          tmpfsOptions(h.Tmpfs),
		IpcMode:        container.IPCModePrivate,
		OomScoreAdj:    labOOMScoreAdj,
		// The engine's embedded DNS forwards what it does not know to
		// these alone: the lab's resolver (resolver.go).
		DNS: hostDNS(spec, h),
		// The engine's init runs as PID 1 and reaps orphans. Without it the
		// scenario's command is PID 1, and anything a trainee starts in the
		// background and leaves behind stays a zombie holding a pid, until
		// the host's pids limit is used up and no shell can start.
		Init: ptr(true),
		// Labs come back when the engine restarts; a lab being stopped is
		// removed outright, so this never resurrects one.
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyUnlessStopped},
		LogConfig: container.LogConfig{
			// A chatty or hostile lab must not fill the host's disk with logs.
			Type:   "json-file",
			Config: map[string]string{"max-size": "1m", "max-file": "2"},
		},
		Resources: container.Resources{
			Memory:     limits.MemoryBytes,
			MemorySwap: limits.MemoryBytes, // equal to Memory: no swap on top
			NanoCPUs:   limits.NanoCPUs,
			PidsLimit:  &pids,
			Ulimits:    []*container.Ulimit{{Name: "nofile", Soft: 4096, Hard: 4096}},
		},
	}
	first := h.Networks[0]
	nc := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		networkName(spec.ID, first.Network): endpoint(h.Name, first),
	}}
	return cfg, hc, nc, nil
}

// HelperImage is the image of the one-shot helpers the driver runs (it
// needs busybox's ip); `sakimori images build` makes it.
const HelperImage = "sakimori-lab/base:latest"

// loopbackHelper is a container that joins host id's network namespace
// with NET_ADMIN only, adds addr to its loopback, and exits.
func loopbackHelper(spec driver.InstanceSpec, h driver.HostSpec, id string, addr netip.Addr) (*container.Config, *container.HostConfig) {
	cfg := &container.Config{
		Image:  HelperImage,
		Cmd:    []string{"ip", "addr", "add", netip.PrefixFrom(addr, addr.BitLen()).String(), "dev", "lo"},
		User:   "0:0",
		Labels: withLabel(labelsFor(spec), driver.LabelHost, h.Name+".loopback"),
	}
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode("container:" + id),
		CapDrop:        []string{"ALL"},
		CapAdd:         []string{"NET_ADMIN"},
		SecurityOpt:    []string{"no-new-privileges:true"},
		ReadonlyRootfs: true,
		Resources:      container.Resources{Memory: 16 << 20, PidsLimit: ptr(int64(8))},
	}
	return cfg, hc
}

// sweepHelper is a container that joins host id's process namespace as
// the host's own user (so it may signal the host's processes, with no
// capability), sweeps terminal session sid, and exits. It has no network.
func sweepHelper(hostLabels map[string]string, user, id string, sid int) (*container.Config, *container.HostConfig) {
	labels := withLabel(hostLabels, driver.LabelHost, hostLabels[driver.LabelHost]+".sweep")
	cfg := &container.Config{Image: HelperImage, Cmd: sweepSession(sid), User: user, Labels: labels}
	hc := &container.HostConfig{
		PidMode:        container.PidMode("container:" + id),
		NetworkMode:    "none",
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges:true"},
		ReadonlyRootfs: true,
		Resources:      container.Resources{Memory: 16 << 20, PidsLimit: ptr(int64(8))},
	}
	return cfg, hc
}

func ptr[T any](v T) *T { return &v }

// endpoint is a host's settings on one network: its fixed address, if any,
// and the DNS names other hosts reach it by.
func endpoint(host string, n driver.HostNetwork) *network.EndpointSettings {
	es := &network.EndpointSettings{Aliases: append([]string{host}, n.Aliases...)}
	if n.IP.IsValid() {
		es.IPAMConfig = &network.EndpointIPAMConfig{IPv4Address: n.IP.String()}
	}
	return es
}

func withDefaults(l driver.Limits) driver.Limits { return l.OrDefaults() }

// tmpfsOptions sizes every tmpfs and keeps setuid and device files off it.
func tmpfsOptions(mounts map[string]int64) map[string]string {
	if len(mounts) == 0 {
		return nil
	}
	out := make(map[string]string, len(mounts))
	for path, size := range mounts {
		// Owned by the lab user (uid 1000 in every lab image; hosts never
		// run as root) and sticky like /tmp. The owner must be given: the
		// engine copies an image directory's root owner onto a tmpfs over it.
		out[path] = "rw,nosuid,nodev,uid=1000,gid=1000,mode=1777,size=" + strconv.FormatInt(size, 10)
	}
	return out
}

// envList renders the environment in a stable order, so the same spec
// always makes the same request.
func envList(env map[string]string) []string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

// expiresOf reads the expiry label back; zero if absent or malformed.
func expiresOf(labels map[string]string) time.Time {
	t, _ := time.Parse(time.RFC3339, labels[driver.LabelExpires])
	return t
}
