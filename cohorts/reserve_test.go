package cohorts_test

import (
	"testing"
	"time"
)

// Only cohorts in session hold their reserve, each for its trainees alone;
// an archived cohort holds nothing.
func TestReservesAreOfCohortsInSession(t *testing.T) {
	w := newWorld(t)
	during, before, after := start.Add(time.Hour), start.Add(-time.Second), start.AddDate(0, 3, 0)
	got, err := w.svc.Reserves(ctx, during)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d reserves in session, want both cohorts': %+v", len(got), got)
	}
	for _, r := range got {
		if r.Labs != 10 {
			t.Errorf("reserve of %d labs, want 10", r.Labs)
		}
		if r.CohortID == w.cohort["A"].ID && (len(r.Trainees) != 2 || !r.Trainees[w.people["hanako"].UserID] || r.Trainees[w.people["teachA"].UserID]) {
			t.Errorf("class A holds for %v, want its two trainees and no instructor", r.Trainees)
		}
	}
	for _, at := range []time.Time{before, after} {
		if got, _ := w.svc.Reserves(ctx, at); len(got) != 0 {
			t.Errorf("at %s, out of session: %+v", at, got)
		}
	}
	if _, err := w.svc.ArchiveCohort(ctx, w.people["teachB"], w.cohort["B"].ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.svc.Reserves(ctx, during); len(got) != 1 || got[0].CohortID != w.cohort["A"].ID {
		t.Fatalf("with B archived: %+v", got)
	}
}
