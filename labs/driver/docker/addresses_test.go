package docker

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver"
)

func TestEveryHostIsGivenAnAddressNoOneElseHolds(t *testing.T) {
	spec, err := withAddresses(twoNetLab)
	if err != nil {
		t.Fatal(err)
	}
	roamer := spec.Hosts[2].Networks[0].IP
	if roamer != netip.MustParseAddr("10.213.0.2") {
		t.Errorf("roamer at %v, want the lowest free address above the gateway", roamer)
	}
	if twoNetLab.Hosts[2].Networks[0].IP.IsValid() {
		t.Error("the plan changed the caller's spec")
	}
	for i, h := range spec.Hosts {
		for j, n := range h.Networks {
			if was := twoNetLab.Hosts[i].Networks[j].IP; was.IsValid() && n.IP != was {
				t.Errorf("%s moved from its fixed %v to %v", h.Name, was, n.IP)
			}
		}
	}
	if got := resolverAddrs(spec); got["dmz"] != resolverAddrs(twoNetLab)["dmz"] {
		t.Errorf("the resolver moves once hosts have addresses: %v", got)
	}
	if _, hc, _, _ := containerCreate(spec, spec.Hosts[2]); hc.DNS[0] != "10.213.0.61" {
		t.Errorf("roamer asks %v, want the resolver", hc.DNS)
	}
}

func TestAFullNetworkIsRefusedBeforeAnythingIsMade(t *testing.T) {
	spec := driver.InstanceSpec{
		ID: "full", Networks: []driver.NetworkSpec{{Name: "tiny", Subnet: netip.MustParsePrefix("10.213.0.0/30")}},
		Hosts: []driver.HostSpec{
			{Name: "a", Networks: []driver.HostNetwork{{Network: "tiny"}}},
			{Name: "b", Networks: []driver.HostNetwork{{Network: "tiny"}}},
		},
	}
	_, err := withAddresses(spec)
	if err == nil || !strings.Contains(err.Error(), "no free address") {
		t.Errorf("err = %v, want no free address", err)
	}
}

// crowdedLab has hosts without a fixed address listed before hosts fixed
// at the addresses the engine would hand out first, the case in which
// hosts started side by side took each other's addresses.
func crowdedLab(id string, subnet netip.Prefix) driver.InstanceSpec {
	spec := driver.InstanceSpec{
		ID: id, Trainee: "trainee-" + id, Scenario: "test", Expires: time.Now().Add(time.Hour),
		Networks: []driver.NetworkSpec{{Name: "lan", Subnet: subnet}},
	}
	fixed := gatewayOf(subnet)
	for i := range 6 {
		h := driver.HostSpec{
			Name: fmt.Sprintf("h%d", i), Image: labimages.Base, ReadOnly: true,
			Networks: []driver.HostNetwork{{Network: "lan"}},
		}
		if i >= 3 {
			fixed = fixed.Next()
			h.Networks[0].IP = fixed
		}
		spec.Hosts = append(spec.Hosts, h)
	}
	return spec
}

func TestHostsStartedTogetherNeverShareAnAddress(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	subnet := <-nextSubnet
	for round := range 3 {
		spec := crowdedLab(newID(t), subnet)
		launched(t, e, spec)
		st, err := e.Status(bg, spec.ID)
		if err != nil {
			t.Fatal(err)
		}
		holder := map[netip.Addr]string{}
		for _, a := range resolverAddrs(spec) {
			holder[a] = "the resolver"
		}
		for _, h := range st.Hosts {
			a := h.Addresses["lan"]
			if !h.Running || !subnet.Contains(a) {
				t.Errorf("round %d: %s running %v at %v", round, h.Name, h.Running, a)
			}
			if other, ok := holder[a]; ok {
				t.Errorf("round %d: %s and %s both at %v", round, h.Name, other, a)
			}
			holder[a] = h.Name
		}
		for _, h := range spec.Hosts {
			if fixed := h.Networks[0].IP; fixed.IsValid() && holder[fixed] != h.Name {
				t.Errorf("round %d: %s fixed at %v, which %q holds", round, h.Name, fixed, holder[fixed])
			}
		}
		if err := e.Destroy(bg, spec.ID); err != nil {
			t.Fatal(err)
		}
	}
}
