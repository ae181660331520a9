package labs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs"
)

// Case 16 (docs/security.md): a host whose process table was full (a fork bomb, or zombies
// nobody reaped) left every shell failing while the lab said "running".
// Now the lab reports itself unhealthy, naming the cause, and a reset
// makes it healthy again.
func TestAHostOutOfProcessesMakesTheLabUnhealthy(t *testing.T) {
	e := fake()
	r := newRange(t, e, 26, 10)
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	r.waitState(t, inst.ID, labs.StateRunning)
	if h, err := r.svc.Health(bg, alice, inst.ID); err != nil || !h.Healthy || h.Reason != "" {
		t.Fatalf("a fresh lab: %+v, %v", h, err)
	}

	e.SetProcesses(inst.ID, "workstation", 100, 128) // busy, but work goes on
	if h, _ := r.svc.Health(bg, alice, inst.ID); !h.Healthy {
		t.Errorf("a host at 100 of 128 processes counted as full: %+v", h)
	}
	e.SetProcesses(inst.ID, "workstation", 128, 128)
	h, err := r.svc.Health(bg, alice, inst.ID)
	if err != nil || h.Healthy || h.Host != "workstation" || !strings.Contains(h.Reason, "A host has run out of processes") || !strings.Contains(h.Reason, "Reset") {
		t.Fatalf("a host at its limit: %+v, %v", h, err)
	}

	if _, err := r.svc.Health(bg, labs.Actor{UserID: "bob"}, inst.ID); !errors.Is(err, labs.ErrLabNotFound) {
		t.Errorf("another trainee asked about the lab: %v", err)
	}
	if _, err := r.svc.Reset(bg, alice, inst.ID); err != nil {
		t.Fatal(err)
	}
	r.waitState(t, inst.ID, labs.StateRunning)
	if h, err := r.svc.Health(bg, alice, inst.ID); err != nil || !h.Healthy {
		t.Errorf("after a reset: %+v, %v", h, err)
	}
}
