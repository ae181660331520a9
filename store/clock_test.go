package store_test

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/store/storetest"
)

// The times the store sets itself come from its clock, so a test (or a
// replay) can pin them.
func TestPinnedClockLandsInRecords(t *testing.T) {
	pinned := time.Date(2031, 4, 5, 6, 7, 8, 0, time.UTC)
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.OpenAt(t, dialect, func() time.Time { return pinned })
			trainees(t, db, "alice")
			s := db.Labs()
			must(t, s.CreateInstance(ctx, pending("l1", "alice", "10.250.0.0/26"), 10))
			if ok, err := s.Transition(ctx, "l1", []labs.State{labs.StatePending}, labs.StateRunning, labs.Change{Step: "ready"}); !ok || err != nil {
				t.Fatalf("transition: %v, %v", ok, err)
			}
			got, err := s.Instance(ctx, "l1")
			if err != nil || !got.UpdatedAt.Equal(pinned) {
				t.Fatalf("after a transition updated_at = %v, %v; want the pinned %v", got.UpdatedAt, err, pinned)
			}

			pinned = pinned.Add(time.Hour)
			if ok, err := s.Extend(ctx, "l1", 0, pinned.Add(time.Hour)); !ok || err != nil {
				t.Fatalf("extend: %v, %v", ok, err)
			}
			got, err = s.Instance(ctx, "l1")
			if err != nil || !got.UpdatedAt.Equal(pinned) {
				t.Fatalf("after an extension updated_at = %v, %v; want the pinned %v", got.UpdatedAt, err, pinned)
			}
		})
	}
}
