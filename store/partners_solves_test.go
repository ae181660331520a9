package store_test

import (
	"sort"
	"testing"
	"time"

	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// A cohort's solves are who solved what among its members there, and no
// more (the competency view reads hundreds of thousands of them); its
// records, a trainee's records and the feed carry each record's lab, for
// the transcripts' evidence.
func TestCohortSolvesCarryTheirLab(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		right := record("r-right", "t1")
		right.InstanceID = "lab-7"
		wrong := record("r-wrong", "t1")
		wrong.Correct, wrong.ObjectiveID = false, "other"
		hint := scoring.Event{ID: "r-hint", Kind: scoring.EventHint, TraineeID: "t2", InstanceID: "lab-8", ScenarioID: "s1", HintID: "h1", Points: -5, At: right.At}
		elsewhere := record("r-elsewhere", "x0")
		before := record("r-before", "t1") // before t1 joined the cohort, an hour ago
		before.At = right.At.Add(-2 * time.Hour)
		for _, e := range []scoring.Event{right, wrong, hint, elsewhere, before} {
			must(t, db.Scoring().Record(ctx, e))
		}
		var solves []partners.Record
		must(t, db.Partners().EachSolve(ctx, "c-o1", func(r partners.Record) error { solves = append(solves, r); return nil }))
		if len(solves) != 1 || solves[0].TraineeID != "t1" || solves[0].ScenarioID != "s1" || solves[0].ObjectiveID != "r-right" {
			t.Fatalf("solves %+v: want t1's one correct answer", solves)
		}
		var all []string
		must(t, db.Partners().EachRecord(ctx, "c-o1", func(r partners.Record) error { all = append(all, r.ID+"@"+r.LabID); return nil }))
		sort.Strings(all)
		if want := []string{"r-hint@lab-8", "r-right@lab-7", "r-wrong@i1"}; len(all) != 3 || all[0] != want[0] || all[1] != want[1] || all[2] != want[2] {
			t.Fatalf("records %v, want %v", all, want)
		}
		mine, err := db.Partners().TraineeRecords(ctx, "o1", "t1")
		must(t, err)
		if len(mine) != 2 || mine[0].LabID == "" {
			t.Fatalf("t1's records %+v", mine)
		}
		page, _, err := db.Partners().FeedAfter(ctx, "o1", partners.Position{}, 10)
		must(t, err)
		for _, r := range page {
			if r.ID == "r-right" && r.LabID != "lab-7" {
				t.Fatalf("the feed's record %+v lacks its lab", r)
			}
		}
	})
}
