package docker

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/sakimori/sakimori/labs/driver"
)

var spec = driver.InstanceSpec{
	ID: "abc123", Trainee: "u-1", Scenario: "metadata-heist", Expires: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC),
	Networks: []driver.NetworkSpec{{Name: "dmz", Subnet: netip.MustParsePrefix("10.213.0.0/26")}},
}

func host(mutate func(*driver.HostSpec)) driver.HostSpec {
	h := driver.HostSpec{
		Name: "web", Image: "sakimori-lab/base:latest", ReadOnly: true,
		Env:      map[string]string{"B": "2", "A": "1"},
		Networks: []driver.HostNetwork{{Network: "dmz", IP: netip.MustParseAddr("10.213.0.10"), Aliases: []string{"www"}}},
	}
	if mutate != nil {
		mutate(&h)
	}
	return h
}

// TestEveryHostIsHardenedByDefault: whatever a spec says, these hold.
func TestEveryHostIsHardenedByDefault(t *testing.T) {
	cases := map[string]driver.HostSpec{
		"plain":               host(nil),
		"writable root":       host(func(h *driver.HostSpec) { h.ReadOnly = false }),
		"capability added":    host(func(h *driver.HostSpec) { h.CapAdd = []string{"NET_BIND_SERVICE"} }),
		"explicit big limits": host(func(h *driver.HostSpec) { h.Limits = driver.Limits{MemoryBytes: 1 << 30, NanoCPUs: 2e9, Pids: 512} }),
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			_, hc, _, err := containerCreate(spec, h)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(hc.CapDrop, []string{"ALL"}) {
				t.Errorf("CapDrop = %v", hc.CapDrop)
			}
			if !slices.Contains(hc.SecurityOpt, "no-new-privileges:true") {
				t.Errorf("SecurityOpt = %v", hc.SecurityOpt)
			}
			if hc.Privileged || len(hc.Binds) > 0 || len(hc.Mounts) > 0 || hc.PidMode != "" || hc.UTSMode != "" ||
				hc.IpcMode != container.IPCModePrivate || hc.NetworkMode.IsHost() || len(hc.Devices) > 0 {
				t.Errorf("host access granted: %+v", hc)
			}
			if hc.PidsLimit == nil || *hc.PidsLimit <= 0 || hc.Memory <= 0 || hc.MemorySwap != hc.Memory || hc.NanoCPUs <= 0 {
				t.Errorf("limits: pids %v memory %d swap %d cpu %d", hc.PidsLimit, hc.Memory, hc.MemorySwap, hc.NanoCPUs)
			}
			if hc.Init == nil || !*hc.Init {
				t.Error("no init as PID 1: orphaned processes would never be reaped")
			}
			if hc.RestartPolicy.Name != container.RestartPolicyUnlessStopped {
				t.Errorf("restart policy %q: labs would not survive an engine restart", hc.RestartPolicy.Name)
			}
			if hc.OomScoreAdj <= 0 || hc.LogConfig.Config["max-size"] == "" {
				t.Errorf("oom score %d, log config %v", hc.OomScoreAdj, hc.LogConfig)
			}
		})
	}
}

func TestDefaultsAndTranslation(t *testing.T) {
	cfg, hc, nc, err := containerCreate(spec, host(func(h *driver.HostSpec) {
		h.Tmpfs = map[string]int64{"/tmp": 16 << 20}
		h.User = "1000:1000"
	}))
	if err != nil {
		t.Fatal(err)
	}
	if *hc.PidsLimit != 128 || hc.Memory != 256<<20 || hc.NanoCPUs != 5e8 {
		t.Errorf("defaults: pids %d memory %d cpu %d", *hc.PidsLimit, hc.Memory, hc.NanoCPUs)
	}
	if !hc.ReadonlyRootfs || hc.Tmpfs["/tmp"] != "rw,nosuid,nodev,uid=1000,gid=1000,mode=1777,size=16777216" {
		t.Errorf("root %v tmpfs %v", hc.ReadonlyRootfs, hc.Tmpfs)
	}
	if !slices.Equal(cfg.Env, []string{"A=1", "B=2"}) || cfg.User != "1000:1000" || cfg.Hostname != "web" {
		t.Errorf("config: env %v user %q hostname %q", cfg.Env, cfg.User, cfg.Hostname)
	}
	for k, want := range map[string]string{
		driver.LabelInstance: "abc123", driver.LabelTrainee: "u-1", driver.LabelScenario: "metadata-heist",
		driver.LabelExpires: "2026-12-01T10:00:00Z", driver.LabelHost: "web",
	} {
		if cfg.Labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, cfg.Labels[k], want)
		}
	}
	if string(hc.NetworkMode) != "sakimori-abc123-dmz" {
		t.Errorf("network mode %q", hc.NetworkMode)
	}
	ep := nc.EndpointsConfig["sakimori-abc123-dmz"]
	if ep == nil || ep.IPAMConfig.IPv4Address != "10.213.0.10" || !slices.Equal(ep.Aliases, []string{"web", "www"}) {
		t.Errorf("endpoint %+v", ep)
	}
	if _, _, _, err := containerCreate(spec, host(func(h *driver.HostSpec) { h.Networks = nil })); err == nil {
		t.Error("a host with no network was accepted")
	}
}

func TestNetworksAreInternalWithNoHostAddress(t *testing.T) {
	opts := networkCreate(spec, spec.Networks[0])
	if !opts.Internal || opts.Driver != "bridge" {
		t.Errorf("internal %v driver %q", opts.Internal, opts.Driver)
	}
	if opts.Options["com.docker.network.bridge.inhibit_ipv4"] != "true" || opts.Options["com.docker.network.bridge.enable_ip_masquerade"] != "false" {
		t.Errorf("bridge options %v", opts.Options)
	}
	if opts.IPAM.Config[0].Subnet != "10.213.0.0/26" || opts.Labels[driver.LabelNetwork] != "dmz" || opts.Labels[driver.LabelInstance] != "abc123" {
		t.Errorf("ipam %+v labels %v", opts.IPAM, opts.Labels)
	}
}
