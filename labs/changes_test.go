package labs

import (
	"context"
	"errors"
	"testing"
)

// transitionOnly is a store whose only working call is Transition, which
// moves or not as told.
type transitionOnly struct {
	Store
	moved bool
	err   error
}

func (s transitionOnly) Transition(context.Context, string, []State, State, Change) (bool, error) {
	return s.moved, s.err
}

func TestWatchersHearOfEachTransitionOfTheirInstanceOnly(t *testing.T) {
	c := &changes{}
	mine, end := c.watch("l1")
	other, endOther := c.watch("l2")
	defer endOther()
	store := &watchedStore{Store: transitionOnly{moved: true}, changes: c}
	if _, err := store.Transition(context.Background(), "l1", []State{StatePending}, StateProvisioning, Change{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-mine:
	default:
		t.Fatal("the watcher of l1 was not told of its transition")
	}
	select {
	case <-other:
		t.Fatal("the watcher of l2 was told of l1's transition")
	default:
	}
	// Two changes nobody read yet are one wake-up, and never block the writer.
	c.changed("l1")
	c.changed("l1")
	<-mine
	select {
	case <-mine:
		t.Fatal("two unread changes woke the watcher twice")
	default:
	}
	end()
	c.changed("l1") // nobody watches: nothing to tell, nothing blocks
	if len(c.watchers["l1"]) != 0 {
		t.Fatal("an ended watch is still registered")
	}
}

func TestATransitionThatDidNotMoveIsNotAnnounced(t *testing.T) {
	for name, store := range map[string]transitionOnly{
		"refused": {moved: false},
		"failed":  {moved: true, err: errors.New("database gone")},
	} {
		c := &changes{}
		ch, end := c.watch("l1")
		_, _ = (&watchedStore{Store: store, changes: c}).Transition(context.Background(), "l1", nil, StateRunning, Change{})
		select {
		case <-ch:
			t.Errorf("%s: announced a transition that was not written", name)
		default:
		}
		end()
	}
}
