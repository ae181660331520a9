package store_test

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// A class's labs and records read at once: only the trainees named, an
// empty list naming nobody, each trainee's records oldest first.
func TestClassReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "a", "b", "c")
		s := db.Labs()
		for i, who := range []string{"a", "b", "c"} {
			must(t, s.CreateInstance(ctx, pending("l"+who, who, "10.214.0."+[]string{"0", "64", "128"}[i]+"/26"), 10))
		}
		got, err := s.ListInstances(ctx, labs.ListFilter{Trainees: []string{"a", "c"}})
		if err != nil || len(got) != 2 || got[0].TraineeID == "b" || got[1].TraineeID == "b" {
			t.Fatalf("labs of a and c: %+v %v", got, err)
		}
		if got, err := s.ListInstances(ctx, labs.ListFilter{Trainees: []string{}}); err != nil || len(got) != 0 {
			t.Fatalf("labs of nobody: %+v %v", got, err)
		}
		at := time.Now().UTC().Truncate(time.Second)
		for i, e := range []scoring.Event{
			{ID: "e1", TraineeID: "a", ObjectiveID: "o2", At: at.Add(time.Minute)},
			{ID: "e2", TraineeID: "a", ObjectiveID: "o1", At: at},
			{ID: "e3", TraineeID: "b", ObjectiveID: "o1", At: at},
			{ID: "e4", TraineeID: "c", ObjectiveID: "o1", At: at},
		} {
			e.Kind, e.ScenarioID, e.InstanceID = scoring.EventSubmission, "s", "l"+e.TraineeID
			if i == 3 {
				e.ScenarioID = "other"
			}
			must(t, db.Scoring().Record(ctx, e))
		}
		events, err := db.Scoring().ClassEvents(ctx, []string{"a", "c"}, "s")
		if err != nil || len(events) != 2 || events[0].ID != "e2" || events[1].ID != "e1" {
			t.Fatalf("records of a and c in s: %+v %v", events, err)
		}
	})
}
