package docker

import (
	"encoding/json"
	"net/netip"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/sakimori/sakimori/labs/driver"
)

// Every lab has its own resolver, a container of sakimori-sim dns on each
// of the lab's networks. The engine's embedded DNS (127.0.0.11 in every
// host, reachable whatever resolv.conf says) answers the names of the
// containers it knows and forwards every other name to a host's own DNS
// servers; engines before 26 forward even from internal networks, and
// from the engine's own namespace when the machine's resolver is on
// loopback (CVE-2024-29018). Each host's DNS servers are its lab's
// resolver and nothing else, and that resolver answers the lab's names
// and NXDOMAIN for the rest, never forwarding: no lookup leaves the lab.

// ResolverImage holds sakimori-sim; `sakimori images build` makes it.
const ResolverImage = "sakimori-lab/cloud:latest"

// resolverHost is the resolver's host label and name suffix. It cannot
// be a scenario's host name (those have no dots), and Status skips it.
const resolverHost = ".resolver"

// helperHost reports whether a container's host label is one of the
// driver's own (the resolver, a loopback helper) rather than a lab host.
func helperHost(label string) bool { return strings.Contains(label, ".") }

// resolverAddrs is the resolver's address on each network: the last
// before the broadcast address that no host of the spec holds as its fixed
// address. The top, because the range fixes its hosts' addresses from the
// bottom, and the address plan (addresses.go) gives hosts without one the
// lowest free addresses: the resolver stays out of the way of both.
func resolverAddrs(spec driver.InstanceSpec) map[string]netip.Addr {
	taken := map[netip.Addr]bool{}
	for _, h := range spec.Hosts {
		for _, n := range h.Networks {
			taken[n.IP] = true
		}
	}
	out := map[string]netip.Addr{}
	for _, n := range spec.Networks {
		a := broadcast(n.Subnet).Prev()
		for taken[a] && n.Subnet.Contains(a.Prev().Prev()) { // never the gateway or the network address
			a = a.Prev()
		}
		out[n.Name] = a
	}
	return out
}

// broadcast is the last address of an IPv4 subnet.
func broadcast(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// hostDNS is the DNS servers a host's embedded DNS forwards to: its lab's
// resolver on each of the host's networks.
func hostDNS(spec driver.InstanceSpec, h driver.HostSpec) []string {
	at := resolverAddrs(spec)
	out := make([]string, 0, len(h.Networks))
	for _, n := range h.Networks {
		if a, ok := at[n.Network]; ok {
			out = append(out, a.String())
		}
	}
	return out
}

// resolverZones describes the lab to sakimori-sim dns (the SAKIMORI_DNS
// value): for each of the resolver's addresses, the names of the hosts on
// that network (and their aliases there) with their addresses on it.
// Create gives every host an address first (addresses.go), so every host
// is named; a host without one in the spec it is given is left to the
// engine's own DNS.
func resolverZones(spec driver.InstanceSpec) string {
	at := resolverAddrs(spec)
	zones := map[string]map[string]string{}
	for _, n := range spec.Networks {
		zones[at[n.Name].String()] = map[string]string{}
	}
	for _, h := range spec.Hosts {
		for _, n := range h.Networks {
			zone, ok := zones[at[n.Network].String()]
			if !ok || !n.IP.IsValid() {
				continue
			}
			for _, name := range append([]string{h.Name}, n.Aliases...) {
				zone[strings.ToLower(name)] = n.IP.String()
			}
		}
	}
	text, _ := json.Marshal(zones) // strings only: cannot fail
	return string(text)
}

// resolverCreate is the create request for the lab's resolver, attached
// at first to the spec's first network (connect the rest with
// resolverEndpoint). It runs as the lab user with no capabilities: the
// namespace's unprivileged port floor is lowered to 53 instead.
func resolverCreate(spec driver.InstanceSpec) (*container.Config, *container.HostConfig, *network.NetworkingConfig) {
	at := resolverAddrs(spec)
	first := spec.Networks[0].Name
	cfg := &container.Config{
		Image:  ResolverImage,
		Cmd:    []string{"sakimori-sim", "dns"},
		Env:    []string{"SAKIMORI_DNS=" + resolverZones(spec)},
		User:   "1000:1000",
		Labels: withLabel(labelsFor(spec), driver.LabelHost, resolverHost),
	}
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(networkName(spec.ID, first)),
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges:true"},
		ReadonlyRootfs: true,
		IpcMode:        container.IPCModePrivate,
		Init:           ptr(true),
		Sysctls:        map[string]string{"net.ipv4.ip_unprivileged_port_start": "53"},
		// Its own embedded DNS forwards to itself, never outward.
		DNS:           []string{at[first].String()},
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyUnlessStopped},
		LogConfig:     container.LogConfig{Type: "json-file", Config: map[string]string{"max-size": "1m", "max-file": "2"}},
		Resources: container.Resources{
			Memory: 32 << 20, MemorySwap: 32 << 20, NanoCPUs: 100_000_000, PidsLimit: ptr(int64(32)),
		},
	}
	nc := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		networkName(spec.ID, first): resolverEndpoint(at[first]),
	}}
	return cfg, hc, nc
}

func resolverEndpoint(addr netip.Addr) *network.EndpointSettings {
	return &network.EndpointSettings{IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: addr.String()}}
}
