package runner

import (
	"encoding/json"
	"fmt"
	"net/netip"
)

// Addresses is RUNNER_ADDRESSES: the public address and DNS name the story
// gives each lab address, so the runner's events read as on the Internet
// (the attacker's collector at its public IP) while the lab runs on
// private ones. The runner's own lab address is in it too, which gives
// the events' SourceIp.
type Addresses struct {
	byLab map[netip.Addr]PublicAddress
}

// PublicAddress is where a lab address stands in the story.
type PublicAddress struct {
	IP   string `json:"ip"`
	Name string `json:"name"`
}

// ParseAddresses reads RUNNER_ADDRESSES, a JSON object from lab IP to
// {"ip": public IP, "name": DNS name}; empty text maps nothing.
func ParseAddresses(text string) (Addresses, error) {
	out := Addresses{byLab: map[netip.Addr]PublicAddress{}}
	if text == "" {
		return out, nil
	}
	var raw map[string]PublicAddress
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return out, fmt.Errorf("RUNNER_ADDRESSES: %v", err)
	}
	for lab, pub := range raw {
		ip, err := netip.ParseAddr(lab)
		if err != nil {
			return out, fmt.Errorf("RUNNER_ADDRESSES: %q is not an IP address", lab)
		}
		if _, err := netip.ParseAddr(pub.IP); err != nil {
			return out, fmt.Errorf("RUNNER_ADDRESSES: %s: %q is not an IP address", lab, pub.IP)
		}
		out.byLab[ip.Unmap()] = pub
	}
	return out, nil
}

// Public is lab's address and name in the story; an address the story
// does not name is itself, with no name.
func (a Addresses) Public(lab netip.Addr) (ip, name string) {
	lab = lab.Unmap() // tcp6 shows IPv4 peers as ::ffff:a.b.c.d
	if pub, ok := a.byLab[lab]; ok {
		return pub.IP, pub.Name
	}
	return lab.String(), ""
}
