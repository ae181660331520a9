package drivertest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Op names a driver method, to make it fail.
type Op string

// The methods a fault can be put on.
const (
	OpPing     Op = "ping"
	OpCreate   Op = "create"
	OpStatus   Op = "status"
	OpExec     Op = "exec"
	OpDestroy  Op = "destroy"
	OpList     Op = "list"
	OpNetworks Op = "networks"
)

// ErrFakeUnavailable is what every call returns while the fake runtime is
// unavailable, as a stopped engine's connection refusal would be.
var ErrFakeUnavailable = fmt.Errorf("fake runtime: connection refused: %w", driver.ErrUnavailable)

type faults struct {
	mu        sync.Mutex
	down      bool
	failing   map[Op]error
	createFor time.Duration
	sped      chan struct{} // closed when SlowCreate changes, freeing waiting creates
	breakNext bool
}

// SetUnavailable makes every call fail with ErrFakeUnavailable while down.
func (f *Fake) SetUnavailable(down bool) {
	f.rt.faults.mu.Lock()
	f.rt.faults.down = down
	f.rt.faults.mu.Unlock()
}

// Fail makes every call of op fail with err, until Fail(op, nil).
func (f *Fake) Fail(op Op, err error) {
	fs := &f.rt.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.failing == nil {
		fs.failing = map[Op]error{}
	}
	if err == nil {
		delete(fs.failing, op)
		return
	}
	fs.failing[op] = err
}

// SlowCreate makes Create wait d, or until its context ends, before it
// makes anything: a launch that stays provisioning. SlowCreate(0) lets
// the creates that wait go on at once.
func (f *Fake) SlowCreate(d time.Duration) {
	fs := &f.rt.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.createFor = d
	if fs.sped != nil {
		close(fs.sped)
	}
	fs.sped = make(chan struct{})
}

// BreakMidCreate makes the next Create make its objects and then find
// the runtime gone: it fails with ErrFakeUnavailable, and the runtime
// stays unavailable until SetUnavailable(false).
func (f *Fake) BreakMidCreate() {
	f.rt.faults.mu.Lock()
	f.rt.faults.breakNext = true
	f.rt.faults.mu.Unlock()
}

func (fs *faults) check(op Op) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.down {
		return ErrFakeUnavailable
	}
	return fs.failing[op]
}

func (fs *faults) slow(ctx context.Context) error {
	fs.mu.Lock()
	d, sped := fs.createFor, fs.sped
	fs.mu.Unlock()
	if d <= 0 {
		return nil
	}
	select {
	case <-time.After(d):
		return nil
	case <-sped:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (fs *faults) afterCreate() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !fs.breakNext {
		return nil
	}
	fs.breakNext, fs.down = false, true
	return ErrFakeUnavailable
}
