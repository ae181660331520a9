package drivertest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Every object carries the instance's labels: List finds all of them, and
// gives back the trainee, scenario and expiry the spec had.
func (s *suite) labels(t *testing.T) {
	d := s.newDriver(t)
	lab := launched(t, d, s.lab(t))
	ref, ok := listed(t, d, lab.ID)
	if !ok {
		t.Fatal("List does not find the instance")
	}
	want := driver.InstanceRef{ID: lab.ID, Trainee: lab.Trainee, Scenario: lab.Scenario, Expires: lab.Expires, Objects: objectsOf(lab)}
	if ref.ID != want.ID || ref.Trainee != want.Trainee || ref.Scenario != want.Scenario || !ref.Expires.Equal(want.Expires) || ref.Objects != want.Objects {
		t.Fatalf("listed %+v, want %+v", ref, want)
	}
}

// Status reports every host by its spec name, running, with its address
// on each of its networks (the fixed one where the spec gives one).
func (s *suite) status(t *testing.T) {
	d := s.newDriver(t)
	lab := launched(t, d, s.lab(t))
	st := running(t, d, lab.ID)
	if st.ID != lab.ID || len(st.Hosts) != len(lab.Hosts) {
		t.Fatalf("status %+v", st)
	}
	subnets := map[string]bool{}
	for _, n := range lab.Networks {
		subnets[n.Name] = true
	}
	for _, h := range st.Hosts {
		spec, ok := hostSpec(lab, h.Name)
		if !ok {
			t.Fatalf("status reports a host %q the spec lacks", h.Name)
		}
		if len(h.Addresses) != len(spec.Networks) {
			t.Errorf("host %s has addresses %v, want one on each of %v", h.Name, h.Addresses, spec.Networks)
		}
		for _, n := range spec.Networks {
			addr := h.Addresses[n.Network]
			if !subnetOf(lab, n.Network).Contains(addr) || (n.IP.IsValid() && addr != n.IP) {
				t.Errorf("host %s on %s at %v, want %v in %v", h.Name, n.Network, addr, n.IP, subnetOf(lab, n.Network))
			}
		}
	}
	if _, err := d.Status(bg, newID()); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("status of an instance that never was: %v", err)
	}
}

// Create again, as a retry after a crash, adopts what is there.
func (s *suite) createIsIdempotent(t *testing.T) {
	d := s.newDriver(t)
	lab := launched(t, d, s.lab(t))
	before := running(t, d, lab.ID)
	if err := d.Create(bg, lab); err != nil {
		t.Fatalf("second create: %v", err)
	}
	if ref, _ := listed(t, d, lab.ID); ref.Objects != objectsOf(lab) {
		t.Fatalf("%d objects after the second create, want %d", ref.Objects, objectsOf(lab))
	}
	after := running(t, d, lab.ID)
	if a, b := addressOf(before, "web", "front"), addressOf(after, "web", "front"); a != b {
		t.Fatalf("web moved from %v to %v: the second create remade it", a, b)
	}
}

// Destroy removes everything, any number of times; an instance already
// gone, or never made, is success.
func (s *suite) destroyIsIdempotent(t *testing.T) {
	d := s.newDriver(t)
	lab := s.lab(t)
	if err := d.Create(bg, lab); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := d.Destroy(bg, lab.ID); err != nil {
			t.Fatalf("destroy %d: %v", i+1, err)
		}
	}
	if _, err := d.Status(bg, lab.ID); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("status after destroy: %v", err)
	}
	if ref, ok := listed(t, d, lab.ID); ok {
		t.Fatalf("objects left after destroy: %+v", ref)
	}
	if err := d.Destroy(bg, newID()); err != nil {
		t.Fatalf("destroy of an instance that never was: %v", err)
	}
	if err := d.Create(bg, lab); err != nil { // the names are free again
		t.Fatalf("create after destroy: %v", err)
	}
	destroyAtEnd(t, d, lab.ID)
}

// Two labs with the same host and network names live side by side; a
// command names its lab, and never reaches into another.
func (s *suite) labsAreIsolated(t *testing.T) {
	d := s.newDriver(t)
	a := launched(t, d, s.lab(t))
	b := launched(t, d, s.lab(t))
	if out, code := run(t, d, a.ID, "box", "env"); code != 0 || !contains(out, "LAB_MARK=mark-of-"+a.ID) || contains(out, b.ID) {
		t.Fatalf("env of A's box: %d %q", code, out)
	}
	if _, err := d.Exec(bg, a.ID, "no-such-host", driver.ExecRequest{Command: []string{"true"}}); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("exec in a host the lab lacks: %v", err)
	}
	if _, err := d.Exec(bg, newID(), "box", driver.ExecRequest{Command: []string{"true"}}); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("exec in a lab that never was: %v", err)
	}
	if err := d.Destroy(bg, a.ID); err != nil {
		t.Fatal(err)
	}
	if ref, ok := listed(t, d, b.ID); !ok || ref.Objects != objectsOf(b) {
		t.Fatalf("destroying A touched B: %+v", ref)
	}
	if out, code := run(t, d, b.ID, "box", "env"); code != 0 || !contains(out, "mark-of-"+b.ID) {
		t.Fatalf("B after A went: %d %q", code, out)
	}
}

// A driver serves one range: another range's instances on the same
// runtime are neither listed nor touched.
func (s *suite) rangesAreIsolated(t *testing.T) {
	if s.opt.OtherRange == nil {
		t.Skip("the driver gives no second range (Options.OtherRange)")
	}
	d := s.newDriver(t)
	other := s.opt.OtherRange(t, d)
	ours := launched(t, d, s.lab(t))
	theirs := launched(t, other, s.lab(t))
	if _, ok := listed(t, d, theirs.ID); ok {
		t.Error("List shows another range's instance")
	}
	if _, ok := listed(t, other, ours.ID); ok {
		t.Error("the other range lists ours")
	}
	if _, err := other.Status(bg, ours.ID); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("the other range's Status of ours: %v", err)
	}
	if _, err := other.Exec(bg, ours.ID, "box", driver.ExecRequest{Command: []string{"true"}}); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("the other range's Exec in ours: %v", err)
	}
	if err := other.Destroy(bg, ours.ID); err != nil {
		t.Errorf("the other range's Destroy of ours: %v", err)
	}
	if ref, ok := listed(t, d, ours.ID); !ok || ref.Objects != objectsOf(ours) {
		t.Fatalf("another range's Destroy touched our instance: %+v", ref)
	}
	running(t, d, ours.ID)
}

// After a restart, a new driver value for the same range finds what the
// old one made, adopts it on Create, and removes it.
func (s *suite) adoptionAfterRestart(t *testing.T) {
	if s.opt.Restarted == nil {
		t.Skip("the driver cannot be restarted (Options.Restarted)")
	}
	old := s.newDriver(t)
	lab := launched(t, old, s.lab(t))
	d := s.opt.Restarted(t, old)
	ref, ok := listed(t, d, lab.ID)
	if !ok || ref.Objects != objectsOf(lab) || ref.Trainee != lab.Trainee {
		t.Fatalf("after a restart the instance is listed as %+v (found %v)", ref, ok)
	}
	if err := d.Create(bg, lab); err != nil {
		t.Fatalf("create after a restart: %v", err)
	}
	running(t, d, lab.ID)
	if out, code := run(t, d, lab.ID, "box", "echo", "adopted"); code != 0 || !contains(out, "adopted") {
		t.Fatalf("exec after a restart: %d %q", code, out)
	}
	if err := d.Destroy(bg, lab.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := listed(t, old, lab.ID); ok {
		t.Fatal("objects left after the new driver destroyed the instance")
	}
}

// A name held by another instance's object is a conflict, not adopted.
func (s *suite) conflict(t *testing.T) {
	if s.opt.Squat == nil {
		t.Skip("the driver cannot place a squatter (Options.Squat)")
	}
	d := s.newDriver(t)
	lab := s.lab(t)
	destroyAtEnd(t, d, lab.ID+"-squatter")
	destroyAtEnd(t, d, lab.ID)
	s.opt.Squat(t, d, lab)
	if err := d.Create(bg, lab); !errors.Is(err, driver.ErrConflict) {
		t.Fatalf("create over another instance's object: %v", err)
	}
}

func (s *suite) missingImage(t *testing.T) {
	d := s.newDriver(t)
	lab := s.lab(t)
	lab.Hosts[1].Image = s.opt.MissingImage
	destroyAtEnd(t, d, lab.ID)
	if err := d.Create(bg, lab); !errors.Is(err, driver.ErrImage) {
		t.Fatalf("create with a missing image: %v", err)
	}
}

// A host whose command ends at once shows in Status as stopped with its
// exit code, or as restarted by the runtime.
func (s *suite) exitedHostIsReported(t *testing.T) {
	d := s.newDriver(t)
	lab := s.lab(t)
	lab.Hosts[0].Command = []string{"sh", "-c", "exit 3"}
	destroyAtEnd(t, d, lab.ID)
	if err := d.Create(bg, lab); err != nil {
		t.Fatalf("create: %v", err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st, err := d.Status(bg, lab.ID)
		if err != nil {
			t.Fatal(err)
		}
		web, _ := hostState(st, "web")
		if web.Restarts > 0 || (!web.Running && web.ExitCode == 3) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a host that exited 3 is reported as %+v", web)
		}
	}
}

// Methods are safe together: instances made at once all run, and a
// Destroy racing a Create, followed by one more Destroy, leaves nothing.
func (s *suite) concurrentUse(t *testing.T) {
	d := s.newDriver(t)
	labs := []driver.InstanceSpec{s.lab(t), s.lab(t), s.lab(t)}
	var wg sync.WaitGroup
	errs := make([]error, len(labs))
	for i, lab := range labs {
		destroyAtEnd(t, d, lab.ID)
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = d.Create(bg, lab) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		running(t, d, labs[i].ID)
	}

	raced := s.lab(t)
	wg.Add(2)
	go func() { defer wg.Done(); _ = d.Create(bg, raced) }() // may fail: its objects go as it makes them
	go func() { defer wg.Done(); _ = d.Destroy(bg, raced.ID) }()
	wg.Wait()
	if err := d.Destroy(bg, raced.ID); err != nil {
		t.Fatalf("destroy after the race: %v", err)
	}
	if ref, ok := listed(t, d, raced.ID); ok {
		t.Fatalf("objects left after a destroy raced a create: %+v", ref)
	}
}

// A runtime that cannot be reached fails every call, fast, with an error
// that wraps ErrUnavailable.
func (s *suite) unavailable(t *testing.T) {
	if s.opt.Unreachable == nil {
		t.Skip("the driver cannot be made unreachable (Options.Unreachable)")
	}
	d := s.opt.Unreachable(t)
	lab := s.lab(t)
	start := time.Now()
	_, statusErr := d.Status(bg, lab.ID)
	_, execErr := d.Exec(bg, lab.ID, "box", driver.ExecRequest{Command: []string{"true"}})
	_, listErr := d.List(bg)
	for name, err := range map[string]error{
		"ping": d.Ping(bg), "create": d.Create(bg, lab), "status": statusErr,
		"exec": execErr, "list": listErr, "destroy": d.Destroy(bg, lab.ID),
	} {
		if !errors.Is(err, driver.ErrUnavailable) {
			t.Errorf("%s on an unreachable runtime: %v", name, err)
		}
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the calls took %v to fail", took)
	}
}
