package labkit

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// An intruder whose first run fails (its target still starting) tries
// again within seconds, not a whole period later: it must have acted
// before the trainee gets there, as the stories say.
func TestIntruderRetriesUntilItFirstSucceeds(t *testing.T) {
	defer func(d time.Duration) { retryEvery = d }(retryEvery)
	retryEvery = 10 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var runs atomic.Int32
	start := time.Now()
	var second time.Duration
	Intrude(ctx, time.Millisecond, time.Hour, func() error {
		switch runs.Add(1) {
		case 1, 2:
			return errors.New("web not up yet")
		case 3:
			second = time.Since(start)
			return nil
		}
		cancel()
		return nil
	})
	if runs.Load() != 3 || second > time.Second {
		t.Fatalf("%d runs, the first success after %v; want 3 runs, the third within a second and then none for the period", runs.Load(), second)
	}
}
