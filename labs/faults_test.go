package labs_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
)

// TestEngineDownRefusesLaunchAtOnce: a clear 503-kind fault, fast, and
// nothing recorded.
func TestEngineDownRefusesLaunchAtOnce(t *testing.T) {
	f := fake()
	r := newRange(t, f, 26, 10)
	f.SetUnavailable(true)
	start := time.Now()
	_, err := r.svc.Launch(bg, "alice", "orientation")
	if !errors.Is(err, labs.ErrEngineDown) {
		t.Fatalf("launch with the engine down: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("refusal took %v", d)
	}
	if list, _ := r.db.Labs().ListInstances(bg, labs.ListFilter{}); len(list) != 0 {
		t.Fatal("a refused launch was recorded")
	}
}

// TestEngineLostMidLaunch is docs/security.md case 2: the launch fails with a
// reason; while the engine is away its objects cannot be removed, so the
// subnets stay held; once it is back, the reconciler removes the partial
// objects and frees the subnets.
func TestEngineLostMidLaunch(t *testing.T) {
	f := fake()
	r := newRange(t, f, 26, 10)
	f.BreakMidCreate() // the objects are made, and then the engine is gone
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	failed := r.waitState(t, inst.ID, labs.StateFailed)
	if failed.Reason == "" || failed.Progress() != 0 {
		t.Fatalf("failed without a reason: %+v", failed)
	}
	if used, _ := r.db.Labs().UsedSubnets(bg); len(used) == 0 {
		t.Fatal("subnets were freed while their networks may still exist")
	}

	f.SetUnavailable(false) // the engine is back
	if n := engineObjects(t, f, inst.ID); n == 0 {
		t.Fatal("test bug: the outage should have left objects behind")
	}
	res, err := r.svc.Reconcile(bg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Orphans != 1 || engineObjects(t, f, inst.ID) != 0 {
		t.Fatalf("reconcile %+v left %d objects", res, engineObjects(t, f, inst.ID))
	}
	if used, _ := r.db.Labs().UsedSubnets(bg); len(used) != 0 {
		t.Fatalf("subnets still held after reconcile: %v", used)
	}
	// And the trainee can launch again.
	if _, err := r.svc.Launch(bg, "alice", "orientation"); err != nil {
		t.Fatalf("launch after recovery: %v", err)
	}
}

// TestRestartAfterCrash is docs/security.md case 1: the server died after the
// engine made a lab's objects and before the records caught up. On the
// next start the reconciler removes objects no record owns, fails the
// launch that was cut short (the trainee is told to launch again), and
// adopts the lab that was running.
func TestRestartAfterCrash(t *testing.T) {
	f := fake()
	r := newRange(t, f, 26, 10)

	// A lab that was running before the crash: adopted.
	kept, _ := r.svc.Launch(bg, "alice", "orientation")
	r.waitState(t, kept.ID, labs.StateRunning)

	// A launch cut short: recorded as provisioning, objects made.
	cut, _ := r.svc.Launch(bg, "bob", "orientation")
	r.waitState(t, cut.ID, labs.StateRunning)
	r.db.Labs().Transition(bg, cut.ID, []labs.State{labs.StateRunning}, labs.StateProvisioning, labs.Change{Step: "creating networks and hosts"})

	// Objects made, record never written: an orphan.
	orphanSpec := driver.InstanceSpec{
		ID: "lorphan" + fmt.Sprint(time.Now().UnixNano()%100000), Trainee: "carol", Scenario: "orientation", Expires: time.Now().Add(time.Hour),
		Networks: []driver.NetworkSpec{{Name: "dmz", Subnet: mustPrefix("10.221.0.0/26")}},
		Hosts:    []driver.HostSpec{{Name: "box", Image: "sakimori-lab/base:latest", Networks: []driver.HostNetwork{{Network: "dmz"}}}},
	}
	if err := r.d.Create(bg, orphanSpec); err != nil { // the same range, no record
		t.Fatal(err)
	}
	t.Cleanup(func() { r.d.Destroy(bg, orphanSpec.ID) })

	// "Restart": a new service over the same records, and a new driver
	// value over the same engine.
	r.svc.Close(bg)
	r.d = f.Restarted()
	res, err := newServiceLike(t, r).Reconcile(bg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Adopted != 1 || res.Interrupted != 1 || res.Orphans < 1 {
		t.Fatalf("reconcile: %+v", res)
	}
	if engineObjects(t, r.d, orphanSpec.ID) != 0 || engineObjects(t, r.d, cut.ID) != 0 {
		t.Fatal("orphaned or interrupted objects remain")
	}
	if got, _ := r.db.Labs().Instance(bg, cut.ID); got.State != labs.StateFailed || got.Reason == "" {
		t.Fatalf("interrupted launch: %+v", got)
	}
	if got, _ := r.db.Labs().Instance(bg, kept.ID); got.State != labs.StateRunning || engineObjects(t, r.d, kept.ID) != 5 {
		t.Fatalf("running lab not adopted: %+v", got)
	}
}

func newServiceLike(t *testing.T, r *rangeFor) *labs.Service {
	pool, _ := labs.NewPool(<-poolBlocks, 26)
	svc, err := labs.NewService(r.db.Labs(), r.d, r.svc.Catalogue(), pool, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(bg) })
	return svc
}
