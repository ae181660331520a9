// Package drivertest holds every driver to the contract in package driver:
// Run checks each promise against a driver under test, and Fake is an
// in-memory driver that passes the same checks, for testing the layers
// above a driver without a runtime.
package drivertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Options adapt the suite to one driver. Image is required; a nil hook
// skips the checks that need it, which the suite logs.
type Options struct {
	// Image has a POSIX shell with echo, cat, env, pwd, id, stty and sleep.
	Image string
	// MissingImage is an image the runtime does not have (default:
	// sakimori-lab/never-built:latest).
	MissingImage string
	// Subnets is a block the suite carves its networks' /26 subnets from
	// (default 10.218.0.0/16); keep it clear of anything else on the runtime.
	Subnets netip.Prefix
	// Restarted returns a new driver value for d's range that shares
	// nothing with d but the runtime, as after the platform restarts.
	Restarted func(t *testing.T, d driver.Driver) driver.Driver
	// OtherRange returns a driver for another range on d's runtime.
	OtherRange func(t *testing.T, d driver.Driver) driver.Driver
	// Squat makes an object under one of spec's names that belongs to the
	// instance spec.ID+"-squatter" of d's range, as an older instance's
	// leftover might.
	Squat func(t *testing.T, d driver.Driver, spec driver.InstanceSpec)
	// Unreachable returns a driver whose runtime cannot be reached.
	Unreachable func(t *testing.T) driver.Driver
}

// Run checks every promise of the driver contract against the drivers
// newDriver returns, each acting for a range of its own.
func Run(t *testing.T, newDriver func(t *testing.T) driver.Driver, opt Options) {
	if opt.Image == "" {
		t.Fatal("drivertest: Options.Image is required")
	}
	if opt.MissingImage == "" {
		opt.MissingImage = "sakimori-lab/never-built:latest"
	}
	if !opt.Subnets.IsValid() {
		opt.Subnets = netip.MustParsePrefix("10.218.0.0/16")
	}
	s := &suite{opt: opt, newDriver: newDriver}
	for _, c := range []struct {
		name string
		test func(*testing.T)
	}{
		{"Labels", s.labels},
		{"Status", s.status},
		{"CreateIsIdempotent", s.createIsIdempotent},
		{"DestroyIsIdempotent", s.destroyIsIdempotent},
		{"LabsAreIsolated", s.labsAreIsolated},
		{"RangesAreIsolated", s.rangesAreIsolated},
		{"SubnetTaken", s.subnetTaken},
		{"AdoptionAfterRestart", s.adoptionAfterRestart},
		{"Conflict", s.conflict},
		{"MissingImage", s.missingImage},
		{"ExecWithoutTerminal", s.execWithoutTerminal},
		{"ExecWithTerminal", s.execWithTerminal},
		{"CloseEndsTheCommand", s.closeEndsTheCommand},
		{"ExitedHostIsReported", s.exitedHostIsReported},
		{"Files", s.files},
		{"ConcurrentUse", s.concurrentUse},
		{"Unavailable", s.unavailable},
	} {
		t.Run(c.name, c.test)
	}
}

type suite struct {
	opt       Options
	newDriver func(t *testing.T) driver.Driver
	subnets   atomic.Uint32
}

var bg = context.Background()

// subnet hands out the next /26 of the suite's block.
func (s *suite) subnet(t *testing.T) netip.Prefix {
	n := s.subnets.Add(1) - 1
	base := s.opt.Subnets.Masked().Addr().As4()
	size := uint32(1) << (32 - 26)
	if uint64(n+1)*uint64(size) > uint64(1)<<(32-s.opt.Subnets.Bits()) {
		t.Fatal("drivertest: the subnet block is used up")
	}
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	v += n * size
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), 26)
}

func newID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "c" + hex.EncodeToString(b)
}

// lab is the suite's instance: a "web" host on the "front" network at a
// fixed address, and a "box" on "back" and "front", with a per-instance
// value in its environment.
func (s *suite) lab(t *testing.T) driver.InstanceSpec {
	id := newID()
	front, back := s.subnet(t), s.subnet(t)
	tmp := map[string]int64{"/tmp": 1 << 20}
	return driver.InstanceSpec{
		ID: id, Trainee: "trainee-" + id, Scenario: "conformance", Expires: time.Now().Add(time.Hour).UTC().Truncate(time.Second),
		Networks: []driver.NetworkSpec{{Name: "front", Subnet: front}, {Name: "back", Subnet: back}},
		Hosts: []driver.HostSpec{
			{
				Name: "web", Image: s.opt.Image, ReadOnly: true, Tmpfs: tmp,
				Networks: []driver.HostNetwork{{Network: "front", IP: front.Addr().Next().Next().Next()}},
			},
			{
				Name: "box", Image: s.opt.Image, ReadOnly: true, Tmpfs: tmp,
				User: "1000", WorkingDir: "/tmp", Env: map[string]string{"LAB_MARK": "mark-of-" + id},
				Networks: []driver.HostNetwork{{Network: "back"}, {Network: "front"}},
			},
		},
	}
}

// launched creates spec with d and destroys it when the test ends.
func launched(t *testing.T, d driver.Driver, spec driver.InstanceSpec) driver.InstanceSpec {
	t.Helper()
	destroyAtEnd(t, d, spec.ID)
	if err := d.Create(bg, spec); err != nil {
		t.Fatalf("create %s: %v", spec.ID, err)
	}
	return spec
}

func destroyAtEnd(t *testing.T, d driver.Driver, id string) {
	t.Cleanup(func() {
		if err := d.Destroy(bg, id); err != nil {
			t.Errorf("destroy %s at the end: %v", id, err)
		}
	})
}

// listed returns the instance's entry in d's List, if any.
func listed(t *testing.T, d driver.Driver, id string) (driver.InstanceRef, bool) {
	t.Helper()
	refs, err := d.List(bg)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	for _, r := range refs {
		if r.ID == id {
			return r, true
		}
	}
	return driver.InstanceRef{}, false
}

func objectsOf(spec driver.InstanceSpec) int { return len(spec.Networks) + len(spec.Hosts) }
