package store_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func pending(id, trainee string, subnets ...string) labs.Instance {
	now := time.Now().UTC()
	inst := labs.Instance{ID: id, TraineeID: trainee, ScenarioID: "orientation", ScenarioVersion: 1,
		State: labs.StatePending, Step: "queued", CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
	for i, s := range subnets {
		inst.Networks = append(inst.Networks, labs.InstanceNetwork{Name: fmt.Sprintf("net%d", i), Subnet: netip.MustParsePrefix(s)})
	}
	return inst
}

func trainees(t *testing.T, db *store.DB, ids ...string) {
	for _, id := range ids {
		must(t, db.Accounts().CreateUser(ctx, user(id, id+"@range.test", accounts.RoleTrainee)))
	}
}

// TestOneActiveLabPerTraineeUnderConcurrency is docs/security.md case 3 at the
// storage layer: 50 launches at once by one trainee make exactly one lab.
func TestOneActiveLabPerTraineeUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "alice")
		s := db.Labs()
		var ok, refused atomic.Int32
		var n atomic.Int32
		parallel(50, func() {
			i := n.Add(1)
			err := s.CreateInstance(ctx, pending(fmt.Sprintf("l%d", i), "alice", fmt.Sprintf("10.213.%d.0/26", i)), 1000)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, labs.ErrLabRunning):
				refused.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		})
		if ok.Load() != 1 || refused.Load() != 49 {
			t.Fatalf("%d created, %d refused; want 1 and 49", ok.Load(), refused.Load())
		}
		used, _ := s.UsedSubnets(ctx)
		if len(used) != 1 {
			t.Fatalf("refused launches left subnets held: %v", used)
		}
	})
}

func TestCapacityAndSubnetConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "a", "b", "c")
		s := db.Labs()
		must(t, s.CreateInstance(ctx, pending("l1", "a", "10.213.0.0/26"), 2))
		err := s.CreateInstance(ctx, pending("l2", "b", "10.213.0.0/26", "10.213.0.64/26"), 2)
		if !errors.Is(err, labs.ErrSubnetTaken) {
			t.Fatalf("taken subnet: %v", err)
		}
		if _, err := s.Instance(ctx, "l2"); !errors.Is(err, labs.ErrLabNotFound) {
			t.Fatal("a refused launch left its instance row")
		}
		must(t, s.CreateInstance(ctx, pending("l2", "b", "10.213.0.64/26"), 2))
		if err := s.CreateInstance(ctx, pending("l3", "c", "10.213.0.128/26"), 2); !errors.Is(err, labs.ErrRangeFull) {
			t.Fatalf("over capacity: %v", err)
		}
	})
}

// A lab moved to other subnets holds those alone; a move onto another
// lab's subnet is refused whole, leaving the old ones held.
func TestSubnetsMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "a", "b")
		s := db.Labs()
		must(t, s.CreateInstance(ctx, pending("l1", "a", "10.213.0.0/26", "10.213.0.64/26"), 10))
		must(t, s.CreateInstance(ctx, pending("l2", "b", "10.213.0.128/26"), 10))
		to := pending("l1", "a", "10.213.0.192/26", "10.213.0.128/26").Networks
		if err := s.MoveSubnets(ctx, "l1", to); !errors.Is(err, labs.ErrSubnetTaken) {
			t.Fatalf("a move onto another lab's subnet: %v", err)
		}
		if inst, _ := s.Instance(ctx, "l1"); len(inst.Networks) != 2 || inst.Networks[0].Subnet.String() != "10.213.0.0/26" {
			t.Fatalf("a refused move changed the lab's subnets: %+v", inst.Networks)
		}
		to = pending("l1", "a", "10.213.0.192/26", "10.213.1.0/26").Networks
		must(t, s.MoveSubnets(ctx, "l1", to))
		used, _ := s.UsedSubnets(ctx)
		if len(used) != 3 || used[netip.MustParsePrefix("10.213.0.0/26")] || !used[netip.MustParsePrefix("10.213.1.0/26")] {
			t.Fatalf("after the move the store holds %v", used)
		}
		inst, _ := s.Instance(ctx, "l1")
		for _, n := range inst.Networks {
			if !slices.Contains(to, n) {
				t.Fatalf("the lab's networks after the move: %+v, want %+v", inst.Networks, to)
			}
		}
	})
}

func TestTransitionsAreGuarded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "a")
		s := db.Labs()
		must(t, s.CreateInstance(ctx, pending("l1", "a", "10.213.0.0/26"), 10))
		if moved, _ := s.Transition(ctx, "l1", []labs.State{labs.StateRunning}, labs.StateStopping, labs.Change{}); moved {
			t.Fatal("moved from a state it was not in")
		}
		started := time.Now().UTC()
		past := started.Add(-time.Minute)
		moved, err := s.Transition(ctx, "l1", []labs.State{labs.StatePending}, labs.StateRunning, labs.Change{StartedAt: &started, ExpiresAt: &past})
		if err != nil || !moved {
			t.Fatalf("transition: %v %v", moved, err)
		}
		inst, _ := s.Instance(ctx, "l1")
		if inst.State != labs.StateRunning || inst.Step != "" || inst.StartedAt == nil || len(inst.Networks) != 1 {
			t.Fatalf("after transition: %+v", inst)
		}
		expired, err := s.Expired(ctx, time.Now())
		if err != nil || len(expired) != 1 {
			t.Fatalf("expired = %v, %v", expired, err)
		}
		if ok, _ := s.Extend(ctx, "l1", 0, time.Now().Add(time.Hour)); !ok {
			t.Fatal("extend refused")
		}
		if ok, _ := s.Extend(ctx, "l1", 0, time.Now().Add(2*time.Hour)); ok {
			t.Fatal("a stale extend was applied twice")
		}
		if expired, _ := s.Expired(ctx, time.Now()); len(expired) != 0 {
			t.Fatal("an extended lab is still expired")
		}
		must(t, s.ReleaseSubnets(ctx, "l1"))
		s.Transition(ctx, "l1", []labs.State{labs.StateRunning}, labs.StateStopped, labs.Change{})
		// Stopped: the trainee may launch again, on the freed subnet.
		must(t, s.CreateInstance(ctx, pending("l2", "a", "10.213.0.0/26"), 10))
		all, _ := s.ListInstances(ctx, labs.ListFilter{TraineeID: "a"})
		active, _ := s.ListInstances(ctx, labs.ListFilter{TraineeID: "a", ActiveOnly: true})
		if len(all) != 2 || len(active) != 1 || active[0].ID != "l2" {
			t.Fatalf("list: %d all, %d active", len(all), len(active))
		}
	})
}
