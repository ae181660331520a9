package cohorts_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
)

// eventing is the world with events, on the clock assigning keeps.
func eventing(t *testing.T) (*world, *cohorts.Service) {
	w, svc, _, _ := assigning(t)
	svc.UseEvents(w.store.(cohorts.EventStore))
	return w, svc
}

func eventFields(ids ...string) cohorts.EventFields {
	freeze := opens.Add(90 * time.Minute)
	return cohorts.EventFields{Name: "Finals", Scenarios: ids, StartsAt: opens, EndsAt: opens.Add(2 * time.Hour), FreezeAt: &freeze}
}

func TestEventFieldsAreCheckedWithTheirField(t *testing.T) {
	w, svc := eventing(t)
	teach, a := w.people["teachA"], w.cohort["A"].ID
	for _, tc := range []struct {
		change      func(*cohorts.EventFields)
		field, code string
	}{
		{func(f *cohorts.EventFields) { f.Name = " " }, "name", "name_required"},
		{func(f *cohorts.EventFields) { f.Scenarios = nil }, "scenarios", "scenarios_required"},
		{func(f *cohorts.EventFields) { f.Scenarios = []string{"web-101", "nope"} }, "scenarios[1]", "scenario_unknown"},
		{func(f *cohorts.EventFields) { f.Scenarios = []string{"web-101", "web-101"} }, "scenarios[1]", "scenario_repeated"},
		{func(f *cohorts.EventFields) { f.StartsAt = time.Time{} }, "starts_at", "starts_at_required"},
		{func(f *cohorts.EventFields) { f.EndsAt = time.Time{} }, "ends_at", "ends_at_required"},
		{func(f *cohorts.EventFields) { f.EndsAt = f.StartsAt }, "ends_at", "ends_before_start"},
		{func(f *cohorts.EventFields) { x := f.StartsAt; f.FreezeAt = &x }, "freeze_at", "freeze_outside_event"},
		{func(f *cohorts.EventFields) { x := f.EndsAt.Add(time.Second); f.FreezeAt = &x }, "freeze_at", "freeze_outside_event"},
	} {
		f := eventFields("web-101")
		tc.change(&f)
		_, err := svc.CreateEvent(ctx, teach, a, f)
		wantField(t, err, tc.field, tc.code)
	}
	f := eventFields("web-101")
	end := f.EndsAt
	f.FreezeAt = &end // a freeze at the very end is allowed
	if _, err := svc.CreateEvent(ctx, teach, a, f); err != nil {
		t.Fatal(err)
	}
}

func TestEventsFollowTheirCohortsRights(t *testing.T) {
	w, svc := eventing(t)
	p := w.people
	e, err := svc.CreateEvent(ctx, p["teachA"], w.cohort["A"].ID, eventFields("web-101"))
	if err != nil {
		t.Fatal(err)
	}
	open, err := svc.CreateEvent(ctx, p["admin"], "", eventFields("cloud-ir"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateEvent(ctx, p["teachA"], "", eventFields("web-101")); err == nil {
		t.Fatal("an instructor ran a range-wide event")
	}
	if _, err := svc.CreateEvent(ctx, p["hanako"], w.cohort["A"].ID, eventFields("web-101")); !errors.Is(err, cohorts.ErrNotAllowed) {
		t.Fatalf("a member made an event: %v", err)
	}
	if _, err := svc.CreateEvent(ctx, p["teachB"], w.cohort["A"].ID, eventFields("web-101")); !errors.Is(err, cohorts.ErrCohortNotFound) {
		t.Fatalf("another organisation's instructor: %v", err)
	}
	for who, want := range map[string]struct {
		see    error
		manage bool
		change error
		listed int
	}{
		"admin":   {nil, true, nil, 2},
		"adminA":  {nil, true, nil, 2},
		"teachA":  {nil, true, nil, 2},
		"hanako":  {nil, false, cohorts.ErrNotAllowed, 2},
		"teachB":  {cohorts.ErrEventNotFound, false, cohorts.ErrEventNotFound, 1},
		"partner": {cohorts.ErrEventNotFound, false, cohorts.ErrEventNotFound, 1},
	} {
		_, manage, err := svc.Event(ctx, p[who], e.ID)
		if !errors.Is(err, want.see) || manage != want.manage {
			t.Errorf("%s: Event = manage %v, %v; want %v, %v", who, manage, err, want.manage, want.see)
		}
		f := eventFields("web-101", "cloud-ir")
		if _, err := svc.UpdateEvent(ctx, p[who], e.ID, f); !errors.Is(err, want.change) {
			t.Errorf("%s: UpdateEvent = %v; want %v", who, err, want.change)
		}
		list, err := svc.Events(ctx, p[who])
		if err != nil || len(list) != want.listed {
			t.Errorf("%s: Events = %d, %v; want %d", who, len(list), err, want.listed)
		}
		for _, l := range list {
			if runs := l.ID == e.ID && want.manage || l.ID == open.ID && who == "admin"; l.Manage != runs {
				t.Errorf("%s: listed %s with manage %v", who, l.Name, l.Manage)
			}
		}
		if _, manage, err := svc.Event(ctx, p[who], open.ID); err != nil || manage != (who == "admin") {
			t.Errorf("%s: the range-wide event = manage %v, %v", who, manage, err)
		}
	}
	if _, err := svc.DeleteEvent(ctx, p["hanako"], e.ID); !errors.Is(err, cohorts.ErrNotAllowed) {
		t.Fatalf("a member deleted an event: %v", err)
	}
	if _, err := svc.DeleteEvent(ctx, p["teachA"], e.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Event(ctx, p["teachA"], e.ID); !errors.Is(err, cohorts.ErrEventNotFound) {
		t.Fatalf("a deleted event: %v", err)
	}
}

func TestEventPhases(t *testing.T) {
	f := eventFields("web-101")
	e := cohorts.Event{StartsAt: f.StartsAt, EndsAt: f.EndsAt, FreezeAt: f.FreezeAt}
	for at, want := range map[time.Time]cohorts.EventPhase{
		opens.Add(-time.Second):      cohorts.EventUpcoming,
		opens:                        cohorts.EventRunning,
		opens.Add(90 * time.Minute):  cohorts.EventFrozen,
		opens.Add(2 * time.Hour):     cohorts.EventEnded,
		opens.Add(119 * time.Minute): cohorts.EventFrozen,
	} {
		if got := e.Phase(at); got != want {
			t.Errorf("Phase(%v) = %s; want %s", at, got, want)
		}
	}
	e.FreezeAt = nil
	if got := e.Phase(opens.Add(100 * time.Minute)); got != cohorts.EventRunning {
		t.Errorf("with no freeze: %s", got)
	}
}

func TestCohortBoardIsForTheCohortsPeople(t *testing.T) {
	w, svc := eventing(t)
	for who, want := range map[string]struct {
		err  error
		live bool
	}{
		"teachA": {nil, true}, "adminA": {nil, true}, "admin": {nil, true}, "hanako": {nil, false},
		"teachB": {cohorts.ErrCohortNotFound, false}, "partner": {cohorts.ErrCohortNotFound, false},
	} {
		_, live, err := svc.CohortBoard(ctx, w.people[who], w.cohort["A"].ID)
		if !errors.Is(err, want.err) || live != want.live {
			t.Errorf("%s: CohortBoard = live %v, %v; want %v, %v", who, live, err, want.live, want.err)
		}
	}
}

func TestEventAtFindsTheTraineesRunningEvent(t *testing.T) {
	w, svc := eventing(t)
	p := w.people
	f := eventFields("web-101")
	f.FreezeAt = nil
	mustE := func(e cohorts.Event, err error) cohorts.Event {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	open := mustE(svc.CreateEvent(ctx, p["admin"], "", f))
	class := mustE(svc.CreateEvent(ctx, p["teachA"], w.cohort["A"].ID, f))
	during := opens.Add(time.Hour)
	for _, tc := range []struct {
		who, scenario string
		at            time.Time
		want          string // the event's id, or "" for none
	}{
		{"hanako", "web-101", during, class.ID},            // the cohort's event before the range's
		{"partner", "web-101", during, open.ID},            // in no cohort: the range's
		{"teachA", "web-101", during, open.ID},             // teaching a cohort is not playing in it
		{"hanako", "cloud-ir", during, ""},                 // not in the event
		{"hanako", "web-101", opens.Add(-time.Second), ""}, // before it starts
		{"hanako", "web-101", f.EndsAt, ""},                // at its end
	} {
		e, ok, err := svc.EventAt(ctx, p[tc.who].UserID, tc.scenario, tc.at)
		if err != nil || ok != (tc.want != "") || e.ID != tc.want {
			t.Errorf("%s, %s at %v: %q %v %v; want %q", tc.who, tc.scenario, tc.at, e.ID, ok, err, tc.want)
		}
	}
}
