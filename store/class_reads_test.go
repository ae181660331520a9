package store_test

import (
	"strings"
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

// A class's progress folded in the database: one cell a trainee and
// objective, solved if any submission was right; hints, walkthroughs and
// marked submissions in full; other trainees and scenarios left out.
func TestClassProgressFoldsSubmissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "a", "b", "c")
		at := time.Now().UTC().Truncate(time.Second)
		for i, e := range []scoring.Event{
			{ID: "a1", TraineeID: "a", ObjectiveID: "o1"},
			{ID: "a2", TraineeID: "a", ObjectiveID: "o1", Correct: true},
			{ID: "a3", TraineeID: "a", ObjectiveID: "o2"},
			{ID: "a4", TraineeID: "a", ObjectiveID: "o3", Correct: true, Note: "late,fast_solve"},
			{ID: "a5", TraineeID: "a", Kind: scoring.EventHint, HintID: "h1", ObjectiveID: "o2"},
			{ID: "b1", TraineeID: "b", ObjectiveID: "o1", SharedWith: "a"},
			{ID: "b2", TraineeID: "b", ObjectiveID: "o2", Note: "late"},
			{ID: "c1", TraineeID: "c", ObjectiveID: "o1", Correct: true},
			{ID: "x1", TraineeID: "a", ObjectiveID: "o4"}, // another scenario
		} {
			if e.Kind == "" {
				e.Kind = scoring.EventSubmission
			}
			e.ScenarioID, e.InstanceID, e.At = "s", "l"+e.TraineeID, at.Add(time.Duration(i)*time.Second)
			if e.ID == "x1" {
				e.ScenarioID = "other"
			}
			must(t, db.Scoring().Record(ctx, e))
		}
		p, err := db.Scoring().ClassProgress(ctx, []string{"a", "b"}, "s")
		if err != nil {
			t.Fatal(err)
		}
		reached := map[string]bool{}
		for _, r := range p.Reached {
			reached[r.TraineeID+"/"+r.ObjectiveID] = r.Solved
		}
		want := map[string]bool{"a/o1": true, "a/o2": false, "a/o3": true, "b/o1": false, "b/o2": false}
		if len(reached) != len(want) || len(p.Reached) != len(want) {
			t.Fatalf("cells: %+v", p.Reached)
		}
		for k, v := range want {
			if got, ok := reached[k]; !ok || got != v {
				t.Fatalf("cell %s: %v %v (%+v)", k, got, ok, p.Reached)
			}
		}
		var ids []string
		for _, e := range p.Notable {
			ids = append(ids, e.ID)
		}
		if strings.Join(ids, ",") != "a4,a5,b1" {
			t.Fatalf("records in full: %v", ids)
		}
	})
}
