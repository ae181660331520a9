package labs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/docker"
	"github.com/sakimori/sakimori/labs/driver/docker/dockertest"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

var bg = context.Background()

// poolBlocks gives each test a pool of its own, so tests can run together
// and never collide with a running range's default pool.
var poolBlocks = make(chan string, 32)

func init() {
	for i := range 32 {
		poolBlocks <- fmt.Sprintf("10.220.%d.0/21", i*8)
	}
}

// realEngine is the real engine, acting for a range of the test's own,
// for what only an engine can show: the lab's hosts really serve the lab.
func realEngine(t *testing.T) *docker.Engine { return dockertest.Engine(t) }

// fake is an in-memory runtime: the lifecycle's tests run without an engine.
func fake() *drivertest.Fake { return drivertest.NewFake().ForRange("test") }

// rangeFor is a lab service over a real SQLite store and the given driver.
type rangeFor struct {
	svc   *labs.Service
	pool  *labs.Pool
	db    *store.DB
	d     driver.Driver
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newRange(t *testing.T, d driver.Driver, poolBits int, capacity int) *rangeFor {
	t.Helper()
	return newRangeFrom(t, d, poolBits, capacity, scenarios.Files())
}

// newRangeFrom is newRange with a catalogue of the test's own.
func newRangeFrom(t *testing.T, d driver.Driver, poolBits int, capacity int, catalogue fs.FS) *rangeFor {
	t.Helper()
	if e, ok := d.(*docker.Engine); ok && !e.Scoped() {
		scoped := e.ForRange(fmt.Sprintf("test-%d", time.Now().UnixNano()))
		dockertest.Clean(t, scoped)
		d = scoped
	}
	db := storetest.Open(t, "sqlite")
	for _, id := range []string{"alice", "bob", "carol"} {
		if err := db.Accounts().CreateUser(bg, accounts.User{ID: id, Email: id + "@range.test", DisplayName: id, Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	cat, err := labs.LoadCatalogue(catalogue)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := labs.NewPool(<-poolBlocks, poolBits)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	opt := testOptions()
	opt.Capacity, opt.MaxExtensions, opt.ExtendBy, opt.Now, opt.ProvisionTimeout = capacity, 2, 30*time.Minute, clk.now, time.Minute
	svc, err := labs.NewService(db.Labs(), d, cat, pool, opt)
	if err != nil {
		t.Fatal(err)
	}
	r := &rangeFor{svc: svc, pool: pool, db: db, d: d, clock: clk}
	t.Cleanup(func() {
		svc.Close(bg)
		// Whatever a test left, remove it from the engine.
		insts, _ := db.Labs().ListInstances(bg, labs.ListFilter{})
		for _, i := range insts {
			d.Destroy(bg, i.ID)
		}
	})
	return r
}

// waitState polls until the instance reaches one of the states.
func (r *rangeFor) waitState(t *testing.T, id string, want ...labs.State) labs.Instance {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		inst, err := r.db.Labs().Instance(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if inst.State == w {
				return inst
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance %s stuck in %s (step %q, reason %q), want %v", id, inst.State, inst.Step, inst.Reason, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func engineObjects(t *testing.T, d driver.Driver, id string) int {
	refs, err := d.List(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.ID == id {
			return r.Objects
		}
	}
	return 0
}

var alice = labs.Actor{UserID: "alice"}

func TestLaunchRunStop(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 10)
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	if inst.State != labs.StatePending || inst.Progress() == 0 || len(inst.Networks) != 2 {
		t.Fatalf("launched %+v", inst)
	}
	running := r.waitState(t, inst.ID, labs.StateRunning, labs.StateFailed)
	if running.State != labs.StateRunning || running.StartedAt == nil || running.Progress() != 100 {
		t.Fatalf("not running: %+v", running)
	}
	if n := engineObjects(t, e, inst.ID); n != 5 { // 3 hosts, 2 networks
		t.Fatalf("%d engine objects, want 5", n)
	}

	// Someone else's lab is invisible; staff see it.
	if _, err := r.svc.Lab(bg, labs.Actor{UserID: "bob"}, inst.ID); !errors.Is(err, labs.ErrLabNotFound) {
		t.Fatalf("another trainee saw the lab: %v", err)
	}
	if _, err := r.svc.Stop(bg, labs.Actor{UserID: "bob"}, inst.ID); !errors.Is(err, labs.ErrLabNotFound) {
		t.Fatalf("another trainee stopped the lab: %v", err)
	}
	if _, err := r.svc.Lab(bg, labs.Actor{UserID: "teacher", Staff: true}, inst.ID); err != nil {
		t.Fatalf("staff cannot see the lab: %v", err)
	}

	stopped, err := r.svc.Stop(bg, alice, inst.ID)
	if err != nil || stopped.State != labs.StateStopped || len(stopped.Networks) != 0 {
		t.Fatalf("stop: %+v, %v", stopped, err)
	}
	if n := engineObjects(t, e, inst.ID); n != 0 {
		t.Fatalf("%d engine objects left after stop", n)
	}
	if again, err := r.svc.Stop(bg, alice, inst.ID); err != nil || again.State != labs.StateStopped {
		t.Fatalf("second stop: %v", err)
	}
}

// TestLaunchedLabServesItsFlag launches on the real engine: the lab's
// hosts run, reach each other by address, and serve the trainee's own flag;
// a stop leaves nothing behind.
func TestLaunchedLabServesItsFlag(t *testing.T) {
	e := realEngine(t)
	r := newRange(t, e, 26, 10)
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	r.waitState(t, inst.ID, labs.StateRunning)
	if n := engineObjects(t, e, inst.ID); n != 5 { // 3 hosts, 2 networks
		t.Fatalf("%d engine objects, want 5", n)
	}

	// The trainee's own flag is served in their lab, by address.
	s, err := e.Exec(bg, inst.ID, "workstation", driver.ExecRequest{Command: []string{"sh", "-c", "wget -q -O - http://$WEB_HOST:8080/flag.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	s.CloseWrite()
	out, _ := io.ReadAll(s)
	s.Close()
	if !strings.HasPrefix(string(out), "FLAG{") {
		t.Fatalf("flag fetch: %q", out)
	}
	if _, err := r.svc.Stop(bg, alice, inst.ID); err != nil {
		t.Fatal(err)
	}
	if n := engineObjects(t, e, inst.ID); n != 0 {
		t.Fatalf("%d engine objects left after stop", n)
	}
}

// TestConcurrentLaunchesMakeOneLab is docs/security.md case 3 end to end.
func TestConcurrentLaunchesMakeOneLab(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 100)
	var ok, quota atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := r.svc.Launch(bg, "alice", "orientation")
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, labs.ErrLabRunning):
				quota.Add(1)
			default:
				t.Errorf("launch: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok.Load() != 1 || quota.Load() != 49 {
		t.Fatalf("%d launched, %d refused with quota_exceeded; want 1 and 49", ok.Load(), quota.Load())
	}
}

// TestFullPoolRefusesCleanly is docs/security.md case 5: no subnets, a clear
// capacity error, nothing half-built.
func TestFullPoolRefusesCleanly(t *testing.T) {
	e := fake()
	r := newRange(t, e, 22, 100) // a /21 in /22s: two subnets, one lab's worth
	first, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	// Alice's lab is built in the background: wait for it, so that what
	// the engine holds before Bob's refusal is all it will hold.
	r.waitState(t, first.ID, labs.StateRunning)
	before, _ := r.d.List(bg)
	_, err = r.svc.Launch(bg, "bob", "orientation")
	if !errors.Is(err, labs.ErrNoSubnets) {
		t.Fatalf("launch into a full pool: %v", err)
	}
	after, _ := r.d.List(bg)
	if len(after) > len(before) {
		t.Fatal("a refused launch left engine objects")
	}
	bobs, _ := r.db.Labs().ListInstances(bg, labs.ListFilter{TraineeID: "bob"})
	if len(bobs) != 0 {
		t.Fatal("a refused launch left a record")
	}
	r.svc.Stop(bg, alice, first.ID)
	if _, err := r.svc.Launch(bg, "bob", "orientation"); err != nil {
		t.Fatalf("launch after a lab ended: %v", err)
	}
}

// TestLaunchStopCyclesLeaveNothing is docs/security.md case 4 at the service:
// the engine's objects return to baseline.
func TestLaunchStopCyclesLeaveNothing(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 10)
	baseline, _ := r.d.List(bg)
	for range 5 {
		inst, err := r.svc.Launch(bg, "alice", "orientation")
		if err != nil {
			t.Fatal(err)
		}
		// Stop at once, while it may still be provisioning.
		if _, err := r.svc.Stop(bg, alice, inst.ID); err != nil {
			t.Fatal(err)
		}
		r.waitState(t, inst.ID, labs.StateStopped)
	}
	r.svc.Close(bg) // let any provisioning that raced the stops finish
	after, _ := r.d.List(bg)
	if len(after) != len(baseline) {
		t.Fatalf("engine objects: %d before, %d after", len(baseline), len(after))
	}
	used, _ := r.db.Labs().UsedSubnets(bg)
	if len(used) != 0 {
		t.Fatalf("subnets still held: %v", used)
	}
}

func TestExtendIsBoundedAndResetKeepsTime(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 10)
	inst, _ := r.svc.Launch(bg, "alice", "orientation")
	running := r.waitState(t, inst.ID, labs.StateRunning)
	for i := range 2 {
		ext, err := r.svc.Extend(bg, alice, inst.ID)
		if err != nil || ext.Extensions != i+1 || !ext.ExpiresAt.After(running.ExpiresAt) {
			t.Fatalf("extend %d: %+v, %v", i, ext, err)
		}
		running = ext
	}
	if _, err := r.svc.Extend(bg, alice, inst.ID); !errors.Is(err, labs.ErrExtendLimit) {
		t.Fatalf("third extension: %v", err)
	}
	reset, err := r.svc.Reset(bg, alice, inst.ID)
	if err != nil || reset.State != labs.StateProvisioning {
		t.Fatalf("reset: %+v, %v", reset, err)
	}
	after := r.waitState(t, inst.ID, labs.StateRunning)
	if !after.ExpiresAt.Equal(running.ExpiresAt) {
		t.Fatalf("reset changed the expiry from %v to %v", running.ExpiresAt, after.ExpiresAt)
	}
	if n := engineObjects(t, e, inst.ID); n != 5 {
		t.Fatalf("%d objects after reset", n)
	}
}

func TestReaperStopsExpiredLabs(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 10)
	inst, _ := r.svc.Launch(bg, "alice", "orientation")
	r.waitState(t, inst.ID, labs.StateRunning)
	if err := r.svc.Reap(bg); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.db.Labs().Instance(bg, inst.ID); got.State != labs.StateRunning {
		t.Fatal("the reaper stopped a lab before its time")
	}
	r.clock.add(61 * time.Minute)
	if err := r.svc.Reap(bg); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.db.Labs().Instance(bg, inst.ID); got.State != labs.StateStopped {
		t.Fatalf("expired lab is %s", got.State)
	}
	if n := engineObjects(t, e, inst.ID); n != 0 {
		t.Fatalf("%d objects left", n)
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// A host that dies as its lab starts is a broken scenario: the launch fails
// with a reason saying so, and nothing is left behind.
func TestBrokenScenarioFailsWithAReason(t *testing.T) {
	e := fake()
	broken := fstest.MapFS{"broken/scenario.yaml": {Data: []byte(`
id: broken
version: 1
title: Broken
difficulty: beginner
time_limit: 10m
networks: [{name: net}]
hosts:
  - name: box
    image: sakimori-lab/base:latest
    terminal: true
    networks: [net]
    command: ["sh", "-c", "exit 3"]
`)}, "broken/text.ja.yaml": {Data: []byte("title: 壊れたシナリオ\n")}}
	r := newRangeFrom(t, e, 26, 10, broken)
	inst, err := r.svc.Launch(bg, "alice", "broken")
	if err != nil {
		t.Fatal(err)
	}
	failed := r.waitState(t, inst.ID, labs.StateFailed)
	if !strings.Contains(failed.Reason, "stopped as it started") {
		t.Fatalf("reason %q", failed.Reason)
	}
	if n := engineObjects(t, r.d, inst.ID); n != 0 {
		t.Fatalf("%d objects left", n)
	}
	// The failure is recorded first, then the subnets are freed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		used, _ := r.db.Labs().UsedSubnets(bg)
		if len(used) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("subnets held: %v", used)
		}
	}
}
