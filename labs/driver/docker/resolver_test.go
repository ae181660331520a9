package docker

import (
	"encoding/json"
	"net/netip"
	"slices"
	"testing"

	"github.com/sakimori/sakimori/labs/driver"
)

// twoNetLab has a host at the last address before the broadcast on "dmz",
// which the resolver must step around, and one on both networks.
var twoNetLab = driver.InstanceSpec{
	ID: "abc123", Scenario: "s",
	Networks: []driver.NetworkSpec{
		{Name: "dmz", Subnet: netip.MustParsePrefix("10.213.0.0/26")},
		{Name: "inner", Subnet: netip.MustParsePrefix("10.213.0.64/26")},
	},
	Hosts: []driver.HostSpec{
		{Name: "web", Networks: []driver.HostNetwork{{Network: "dmz", IP: netip.MustParseAddr("10.213.0.62"), Aliases: []string{"WWW"}}}},
		{Name: "box", Networks: []driver.HostNetwork{
			{Network: "inner", IP: netip.MustParseAddr("10.213.0.74")},
			{Network: "dmz", IP: netip.MustParseAddr("10.213.0.11")},
		}},
		{Name: "roamer", Networks: []driver.HostNetwork{{Network: "dmz"}}}, // no fixed address
	},
}

func TestTheResolverTakesAFreeAddressOnEveryNetwork(t *testing.T) {
	got := resolverAddrs(twoNetLab)
	want := map[string]netip.Addr{"dmz": netip.MustParseAddr("10.213.0.61"), "inner": netip.MustParseAddr("10.213.0.126")}
	if len(got) != 2 || got["dmz"] != want["dmz"] || got["inner"] != want["inner"] {
		t.Errorf("resolver addresses %v, want %v", got, want)
	}
}

// A host's DNS servers are its lab's resolver and nothing else, so the
// engine's embedded DNS has nowhere else to forward to.
func TestEveryHostAsksOnlyItsLabsResolver(t *testing.T) {
	_, hc, _, err := containerCreate(twoNetLab, twoNetLab.Hosts[1])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hc.DNS, []string{"10.213.0.126", "10.213.0.61"}) {
		t.Errorf("DNS = %v, want the resolver on each of the host's networks", hc.DNS)
	}
}

func TestTheResolverKnowsEachNetworksNames(t *testing.T) {
	var zones map[string]map[string]string
	if err := json.Unmarshal([]byte(resolverZones(twoNetLab)), &zones); err != nil {
		t.Fatal(err)
	}
	dmz, inner := zones["10.213.0.61"], zones["10.213.0.126"]
	if dmz["web"] != "10.213.0.62" || dmz["www"] != "10.213.0.62" || dmz["box"] != "10.213.0.11" || len(dmz) != 3 {
		t.Errorf("dmz zone %v", dmz)
	}
	if inner["box"] != "10.213.0.74" || len(inner) != 1 {
		t.Errorf("inner zone %v (a host answers only where it is)", inner)
	}
}

func TestTheResolverIsHardened(t *testing.T) {
	cfg, hc, nc := resolverCreate(twoNetLab)
	if cfg.User != "1000:1000" || !slices.Equal(hc.CapDrop, []string{"ALL"}) || len(hc.CapAdd) > 0 || !hc.ReadonlyRootfs ||
		!slices.Contains(hc.SecurityOpt, "no-new-privileges:true") || hc.PidsLimit == nil || hc.Memory == 0 {
		t.Errorf("resolver not hardened: user %q %+v", cfg.User, hc)
	}
	if hc.Sysctls["net.ipv4.ip_unprivileged_port_start"] != "53" {
		t.Errorf("sysctls %v: an unprivileged resolver cannot bind port 53", hc.Sysctls)
	}
	if !slices.Equal(hc.DNS, []string{"10.213.0.61"}) {
		t.Errorf("the resolver's own DNS %v, want itself", hc.DNS)
	}
	if ep := nc.EndpointsConfig[networkName("abc123", "dmz")]; ep == nil || ep.IPAMConfig.IPv4Address != "10.213.0.61" {
		t.Errorf("resolver endpoint %+v", nc.EndpointsConfig)
	}
	if !helperHost(cfg.Labels[driver.LabelHost]) {
		t.Error("the resolver would be reported as a host")
	}
}
