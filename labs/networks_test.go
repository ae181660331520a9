package labs_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/docker/dockertest"
)

// sub is the i-th subnet of size bits in the block.
func sub(block netip.Prefix, bits, i int) netip.Prefix {
	a := block.Addr().As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v += uint32(i) << (32 - bits)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), bits)
}

// runsClearOf waits for the lab to run and checks that none of its
// networks, as recorded, overlaps held.
func (r *rangeFor) runsClearOf(t *testing.T, id string, held ...netip.Prefix) labs.Instance {
	t.Helper()
	inst := r.waitState(t, id, labs.StateRunning, labs.StateFailed)
	if inst.State != labs.StateRunning {
		t.Fatalf("the lab %s: %q", inst.State, inst.Reason)
	}
	for _, n := range inst.Networks {
		for _, h := range held {
			if n.Subnet.Overlaps(h) {
				t.Fatalf("the lab's network %s is on %s, which the engine holds as %s", n.Name, n.Subnet, h)
			}
		}
	}
	return inst
}

// A network already on the engine inside the pool (another range's, or
// anyone's) is skipped at launch: the engine would refuse an overlap.
func TestLaunchKeepsClearOfTheEnginesNetworks(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 10)
	held := []netip.Prefix{sub(r.pool.Block(), 26, 0), sub(r.pool.Block(), 25, 1)}
	for _, h := range held {
		e.HoldSubnet(h)
	}
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	r.runsClearOf(t, inst.ID, held...)
}

// A subnet the engine gains after the launch chose it (another range
// created its lab in between) moves the lab to other subnets, recorded.
func TestLaunchMovesOffASubnetTakenMeanwhile(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 10)
	e.SlowCreate(time.Minute)
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	taken := inst.Networks[0].Subnet
	e.HoldSubnet(taken)
	e.SlowCreate(0)
	r.runsClearOf(t, inst.ID, taken)
	if n := engineObjects(t, e, inst.ID); n != 5 {
		t.Fatalf("%d engine objects, want 5", n)
	}
}

// On the real engine: a second range holds a network on the pool's first
// subnet, and a lab still launches, beside it.
func TestLaunchBesideAnotherRangesNetwork(t *testing.T) {
	e := realEngine(t)
	r := newRange(t, e, 26, 10)
	other := e.ForRange("test-other-" + time.Now().Format("150405.000000"))
	dockertest.Clean(t, other)
	held := sub(r.pool.Block(), 26, 0)
	spec := driver.InstanceSpec{
		ID: "lother" + time.Now().Format("150405"), Trainee: "someone", Scenario: "elsewhere", Expires: time.Now().Add(time.Hour),
		Networks: []driver.NetworkSpec{{Name: "net", Subnet: held}},
		Hosts: []driver.HostSpec{{Name: "box", Image: labimages.Base, Command: []string{"sleep", "3600"},
			Networks: []driver.HostNetwork{{Network: "net"}}}},
	}
	t.Cleanup(func() { other.Destroy(bg, spec.ID) })
	if err := other.Create(bg, spec); err != nil {
		t.Fatal(err)
	}
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	r.runsClearOf(t, inst.ID, held)
}
