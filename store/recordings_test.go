package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestRecordingsBelongToTheirLab(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "a")
		s := db.Labs()
		must(t, s.CreateInstance(ctx, pending("l1", "a", "10.213.0.0/26"), 10))
		start := time.Now().UTC().Truncate(time.Millisecond)
		must(t, s.CreateRecording(ctx, labs.Recording{ID: "r2", InstanceID: "l1", TraineeID: "a", StartedAt: start.Add(time.Second)}))
		must(t, s.CreateRecording(ctx, labs.Recording{ID: "r1", InstanceID: "l1", TraineeID: "a", ByStaff: true, StartedAt: start}))
		if err := s.CreateRecording(ctx, labs.Recording{ID: "r3", InstanceID: "no-such-lab", TraineeID: "a", StartedAt: start}); err == nil {
			t.Fatal("a recording of a lab that does not exist was kept")
		}
		must(t, s.FinishRecording(ctx, "r1", start.Add(time.Minute), 4096, true))
		list, err := s.Recordings(ctx, "l1")
		if err != nil || len(list) != 2 || list[0].ID != "r1" || list[1].ID != "r2" {
			t.Fatalf("recordings in start order: %+v %v", list, err)
		}
		r1 := list[0]
		if !r1.ByStaff || r1.Bytes != 4096 || !r1.Truncated || r1.EndedAt == nil || !r1.EndedAt.Equal(start.Add(time.Minute)) || !r1.StartedAt.Equal(start) {
			t.Fatalf("finished recording: %+v", r1)
		}
		if list[1].EndedAt != nil {
			t.Fatal("an unfinished recording has an end")
		}
		if _, err := s.Recording(ctx, "nope"); !errors.Is(err, labs.ErrRecordingNotFound) {
			t.Fatalf("unknown recording: %v", err)
		}
		if none, err := s.Recordings(ctx, "l2"); err != nil || len(none) != 0 {
			t.Fatalf("another lab's recordings: %v %v", none, err)
		}
	})
}
