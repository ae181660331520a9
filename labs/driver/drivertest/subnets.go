package drivertest

import (
	"errors"
	"slices"
	"testing"

	"github.com/sakimori/sakimori/labs/driver"
)

// Every range's networks are listed by NetworkSubnets, and a network on a
// subnet another range already holds is refused with ErrSubnetTaken, so
// the caller can move to another subnet rather than fail the lab.
func (s *suite) subnetTaken(t *testing.T) {
	if s.opt.OtherRange == nil {
		t.Skip("the driver gives no second range (Options.OtherRange)")
	}
	d := s.newDriver(t)
	other := s.opt.OtherRange(t, d)
	theirs := launched(t, other, s.lab(t))
	held, err := d.NetworkSubnets(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range theirs.Networks {
		if !slices.Contains(held, n.Subnet) {
			t.Errorf("NetworkSubnets %v misses another range's %s", held, n.Subnet)
		}
	}
	clash := s.lab(t)
	clash.Networks[0].Subnet = theirs.Networks[0].Subnet
	clash.Hosts[0].Networks[0].IP = theirs.Hosts[0].Networks[0].IP
	destroyAtEnd(t, d, clash.ID)
	if err := d.Create(bg, clash); !errors.Is(err, driver.ErrSubnetTaken) {
		t.Fatalf("a network on another range's subnet: %v, want %v", err, driver.ErrSubnetTaken)
	}
	running(t, other, theirs.ID)
}
