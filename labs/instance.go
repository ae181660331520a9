package labs

import (
	"context"
	"net/netip"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// State is where an instance is in its life:
//
//	pending → provisioning → running → stopping → stopped
//	              ↘ failed         ↘ (reset) provisioning
//
// pending, provisioning, running and stopping are "active": the instance
// holds subnets and counts against quotas.
type State string

const (
	StatePending      State = "pending"
	StateProvisioning State = "provisioning"
	StateRunning      State = "running"
	StateStopping     State = "stopping"
	StateStopped      State = "stopped"
	StateFailed       State = "failed"
)

// ActiveStates are the states that hold resources.
var ActiveStates = []State{StatePending, StateProvisioning, StateRunning, StateStopping}

// Active reports whether the state holds resources.
func (s State) Active() bool {
	for _, a := range ActiveStates {
		if s == a {
			return true
		}
	}
	return false
}

// Instance is one trainee's lab.
type Instance struct {
	ID              string
	TraineeID       string
	ScenarioID      string
	ScenarioVersion int
	State           State
	Step            string // what provisioning is doing now, for progress
	Reason          string // why it failed, in words for the trainee
	Networks        []InstanceNetwork
	Extensions      int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	StartedAt       *time.Time
	StoppedAt       *time.Time
	ExpiresAt       time.Time
	TerminalOpened  *time.Time // first time the trainee opened a terminal into it
}

// InstanceNetwork is one of an instance's networks and its subnet.
type InstanceNetwork struct {
	Name   string
	Subnet netip.Prefix
}

// Progress is a rough percentage for a progress bar.
func (i Instance) Progress() int {
	switch i.State {
	case StatePending:
		return 5
	case StateProvisioning:
		return progressOfStep[i.Step]
	case StateRunning, StateStopped:
		return 100
	}
	return 0
}

// The steps provisioning reports, in order.
const (
	stepQueued    = "queued"
	stepNetworks  = "creating networks and hosts"
	stepStarting  = "waiting for hosts to run"
	stepResetting = "removing the old hosts"
	stepStopping  = "removing hosts and networks"
)

var progressOfStep = map[string]int{stepQueued: 5, stepResetting: 15, stepNetworks: 30, stepStarting: 80}

// Change is what a transition writes besides the state.
type Change struct {
	Step      string
	Reason    string
	StartedAt *time.Time
	StoppedAt *time.Time
	ExpiresAt *time.Time
}

// ListFilter narrows ListInstances.
type ListFilter struct {
	TraineeID string // empty: everyone's
	// Trainees, when not nil, keeps only these trainees' instances; an
	// empty set keeps none.
	Trainees   []string
	ActiveOnly bool
	Limit      int
}

// Store is what the lab lifecycle needs from storage.
type Store interface {
	// CreateInstance records a new pending instance with its subnets, in
	// one transaction. It fails with ErrLabRunning if the trainee already
	// has an active instance, ErrRangeFull if capacity instances are
	// active, and ErrSubnetTaken if another launch took a subnet first.
	CreateInstance(ctx context.Context, inst Instance, capacity int) error
	Instance(ctx context.Context, id string) (Instance, error) // ErrLabNotFound
	ListInstances(ctx context.Context, f ListFilter) ([]Instance, error)
	UsedSubnets(ctx context.Context) (map[netip.Prefix]bool, error)
	// Transition moves an instance from one of the states in from to the
	// state to, and says whether it did (false: it was elsewhere already).
	Transition(ctx context.Context, id string, from []State, to State, c Change) (bool, error)
	// Extend sets a running instance's expiry if its extensions are still
	// at seen, and says whether it did.
	Extend(ctx context.Context, id string, seen int, expires time.Time) (bool, error)
	ReleaseSubnets(ctx context.Context, id string) error
	// MoveSubnets gives an instance the networks' subnets in place of the
	// ones it holds, all or none: ErrSubnetTaken if another holds one.
	MoveSubnets(ctx context.Context, id string, networks []InstanceNetwork) error
	// MarkTerminalOpened records the first terminal opened into the lab.
	MarkTerminalOpened(ctx context.Context, id string, at time.Time) error
	// Expired lists running instances whose expiry is at or before now.
	Expired(ctx context.Context, now time.Time) ([]Instance, error)
}

// The faults of the lab lifecycle.
var (
	ErrLabNotFound = fault.New(fault.NotFound, "lab_not_found", "There is no such lab.")
	ErrLabRunning  = fault.New(fault.Conflict, "quota_exceeded", "You already have a lab running; stop it before launching another.")
	ErrRangeFull   = fault.New(fault.Capacity, "capacity", "The range is at capacity right now; try again when a lab ends.")
	ErrSubnetTaken = fault.New(fault.Conflict, "subnet_taken", "Another launch took the same network; retrying.")
	ErrEngineDown  = fault.New(fault.Unavailable, "engine_unavailable", "The lab engine is not reachable right now; try again in a minute.")
	ErrNotRunning  = fault.New(fault.Conflict, "lab_not_running", "The lab is not running.")
	ErrExtendLimit = fault.New(fault.Conflict, "extend_limit", "This lab cannot be extended any further.")
	ErrLabBusy     = fault.New(fault.Conflict, "lab_busy", "The lab is changing state; try again in a moment.")
)
