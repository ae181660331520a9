package docker

import (
	"fmt"
	"net/netip"

	"github.com/sakimori/sakimori/labs/driver"
)

// The address plan of a lab. The engine hands a host without a fixed
// address the lowest free one on a network as the host starts, so hosts
// started side by side race: one without a fixed address can take the
// address another host is fixed at, and that host then fails to start
// ("Address already in use"). So the engine never chooses: before anything
// is made, every address of the lab is decided here, from the spec alone.
//
//   - the network address, and the gateway just above it, are the engine's;
//   - a host's fixed address in the spec is kept;
//   - the lab's resolver takes the top free address (resolverAddrs);
//   - a host without a fixed address takes the lowest free one, in the
//     spec's order of hosts.
//
// The same spec always gives the same plan, so a Create that adopts what an
// interrupted one made asks for the same addresses again.

// gatewayOf is the gateway address the driver gives a lab network: the
// first after the network address, as the engine would choose itself.
func gatewayOf(subnet netip.Prefix) netip.Addr { return subnet.Masked().Addr().Next() }

// withAddresses returns spec with an address on every network of every
// host, or an error if a network has no free address left for a host.
func withAddresses(spec driver.InstanceSpec) (driver.InstanceSpec, error) {
	subnets := map[string]netip.Prefix{}
	taken := map[netip.Addr]bool{}
	for _, n := range spec.Networks {
		subnets[n.Name] = n.Subnet
		taken[n.Subnet.Masked().Addr()] = true
		taken[gatewayOf(n.Subnet)] = true
	}
	for _, a := range resolverAddrs(spec) {
		taken[a] = true
	}
	for _, h := range spec.Hosts {
		for _, n := range h.Networks {
			if n.IP.IsValid() {
				taken[n.IP] = true
			}
		}
	}
	out := spec
	out.Hosts = make([]driver.HostSpec, len(spec.Hosts))
	for i, h := range spec.Hosts {
		h.Networks = append([]driver.HostNetwork(nil), h.Networks...)
		for j, n := range h.Networks {
			if n.IP.IsValid() {
				continue
			}
			subnet, ok := subnets[n.Network]
			if !ok {
				return driver.InstanceSpec{}, fmt.Errorf("host %s: no network %q in the lab", h.Name, n.Network)
			}
			a := lowestFree(subnet, taken)
			if !a.IsValid() {
				return driver.InstanceSpec{}, fmt.Errorf("host %s: network %s (%s) has no free address left", h.Name, n.Network, subnet)
			}
			taken[a] = true
			h.Networks[j].IP = a
		}
		out.Hosts[i] = h
	}
	return out, nil
}

// lowestFree is the lowest address of subnet below its broadcast address
// that is not taken; the zero Addr if there is none.
func lowestFree(subnet netip.Prefix, taken map[netip.Addr]bool) netip.Addr {
	last := broadcast(subnet)
	for a := subnet.Masked().Addr(); a.IsValid() && a.Less(last); a = a.Next() {
		if !taken[a] {
			return a
		}
	}
	return netip.Addr{}
}
