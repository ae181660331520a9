package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestEventsKeepTheirFieldsAndAreListedByScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		now := time.Now().UTC().Truncate(time.Second)
		freeze := now.Add(90 * time.Minute)
		inCohort := cohorts.Event{ID: "e1", CohortID: c.ID, Name: "期末CTF", Scenarios: []string{"web-101", "cloud-ir"},
			StartsAt: now, EndsAt: now.Add(2 * time.Hour), FreezeAt: &freeze, CreatedBy: "u1", CreatedAt: now}
		rangeWide := cohorts.Event{ID: "e2", Name: "Open night", Scenarios: []string{"web-101"},
			StartsAt: now.Add(time.Hour), EndsAt: now.Add(3 * time.Hour), CreatedBy: "u1", CreatedAt: now}
		for _, e := range []cohorts.Event{inCohort, rangeWide} {
			if err := s.CreateEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := s.Event(ctx, "e1"); err != nil || !reflect.DeepEqual(got, inCohort) {
			t.Fatalf("Event = %+v, %v; want %+v", got, err, inCohort)
		}
		if _, err := s.Event(ctx, "nope"); !errors.Is(err, cohorts.ErrEventNotFound) {
			t.Fatalf("a missing event: %v", err)
		}
		for _, tc := range []struct {
			f    cohorts.EventFilter
			want []string
		}{
			{cohorts.EventFilter{All: true}, []string{"e2", "e1"}},
			{cohorts.EventFilter{CohortIDs: []string{c.ID}}, []string{"e2", "e1"}},
			{cohorts.EventFilter{CohortIDs: []string{"other"}}, []string{"e2"}},
			{cohorts.EventFilter{}, []string{"e2"}},
		} {
			list, err := s.Events(ctx, tc.f)
			var ids []string
			for _, e := range list {
				ids = append(ids, e.ID)
			}
			if err != nil || !reflect.DeepEqual(ids, tc.want) {
				t.Fatalf("Events(%+v) = %v, %v; want %v", tc.f, ids, err, tc.want)
			}
		}

		inCohort.Name, inCohort.FreezeAt = "Finals", nil
		if err := s.UpdateEvent(ctx, inCohort); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Event(ctx, "e1"); !reflect.DeepEqual(got, inCohort) {
			t.Fatalf("after update = %+v; want %+v", got, inCohort)
		}
		if err := s.DeleteEvent(ctx, "e1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteEvent(ctx, "e1"); !errors.Is(err, cohorts.ErrEventNotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
		if err := s.UpdateEvent(ctx, inCohort); !errors.Is(err, cohorts.ErrEventNotFound) {
			t.Fatalf("updating a deleted event: %v", err)
		}
	})
}

func TestScopedScoreboardCountsOnlyTheScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		start := time.Now().UTC().Truncate(time.Second)
		if err := s.AddMembers(ctx, []cohorts.Membership{
			{ID: "m1", CohortID: c.ID, Person: cohorts.Person{ID: "u1"}, Role: cohorts.CohortInstructor, Via: cohorts.ViaAdded, JoinedAt: start},
			{ID: "m2", CohortID: c.ID, Person: cohorts.Person{ID: "u2"}, Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: start},
		}); err != nil {
			t.Fatal(err)
		}
		sc := db.Scoring()
		n := 0
		record := func(trainee, scenario, objective string, points int, at time.Time) {
			t.Helper()
			n++
			e := scoring.Event{ID: "r" + string(rune('a'+n)), Kind: scoring.EventSubmission, TraineeID: trainee, InstanceID: "i",
				ScenarioID: scenario, ObjectiveID: objective, Correct: true, Points: points, At: at}
			if err := sc.Record(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		record("u2", "web-101", "before", 500, start.Add(-time.Minute)) // before the window
		record("u2", "web-101", "o1", 100, start.Add(time.Minute))      // counts
		record("u2", "other", "o1", 700, start.Add(time.Minute))        // another scenario
		record("u2", "web-101", "late", 900, start.Add(2*time.Hour))    // after the window
		record("u3", "web-101", "o1", 300, start.Add(2*time.Minute))    // not in the cohort
		record("u1", "web-101", "o1", 50, start.Add(3*time.Minute))     // the instructor plays no part

		scope := scoring.BoardScope{CohortID: c.ID, Scenarios: []string{"web-101"}, From: start, Until: start.Add(time.Hour)}
		board, err := sc.ScopedScoreboard(ctx, scope, 10)
		if err != nil || len(board) != 1 || board[0].TraineeID != "u2" || board[0].Points != 100 || board[0].Solved != 1 ||
			!board[0].LastSolveAt.Equal(start.Add(time.Minute)) {
			t.Fatalf("cohort board = %+v, %v; want u2 alone with 100", board, err)
		}
		scope.CohortID = "" // the whole range in the window
		board, err = sc.ScopedScoreboard(ctx, scope, 10)
		if err != nil || len(board) != 3 || board[0].TraineeID != "u3" || board[1].TraineeID != "u2" || board[2].TraineeID != "u1" {
			t.Fatalf("range board = %+v, %v; want u3, u2, u1", board, err)
		}
		if board, _ = sc.ScopedScoreboard(ctx, scope, 1); len(board) != 1 {
			t.Fatalf("limit 1 gave %d lines", len(board))
		}
		scope.CohortID = c.ID
		if n, err := sc.ScopedSolves(ctx, scope, "web-101", "o1"); err != nil || n != 1 {
			t.Fatalf("the cohort's solves of o1 in the window = %d, %v; want u2's alone", n, err)
		}
		scope.CohortID = ""
		if n, err := sc.ScopedSolves(ctx, scope, "web-101", "o1"); err != nil || n != 3 {
			t.Fatalf("the range's solves of o1 in the window = %d, %v; want 3", n, err)
		}
	})
}

// An organisation's event is listed for the organisations named, and its
// board holds the trainees of every cohort of the organisation, each once
// though they are in two, and nobody else.
func TestOrganisationEventsListAndBoardTheirCohorts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		now := time.Now().UTC().Truncate(time.Second)
		second := cohorts.Cohort{ID: "c2", OrganisationID: "o1", Name: "Cloud IR 2027", StartsAt: now, EndsAt: now.Add(24 * time.Hour),
			JoinCode: "DDDD-EEEE-FFFF", CreatedAt: now}
		if err := s.CreateCohort(ctx, second); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembers(ctx, []cohorts.Membership{
			{ID: "m1", CohortID: c.ID, Person: cohorts.Person{ID: "u2"}, Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: now},
			{ID: "m2", CohortID: second.ID, Person: cohorts.Person{ID: "u2"}, Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: now},
			{ID: "m3", CohortID: second.ID, Person: cohorts.Person{ID: "u1"}, Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: now},
		}); err != nil {
			t.Fatal(err)
		}
		e := cohorts.Event{ID: "e3", OrganisationID: "o1", Name: "学内CTF", Scenarios: []string{"web-101"},
			StartsAt: now, EndsAt: now.Add(time.Hour), CreatedBy: "u1", CreatedAt: now}
		if err := s.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Event(ctx, "e3"); err != nil || !reflect.DeepEqual(got, e) || got.RangeWide() {
			t.Fatalf("Event = %+v, %v; want %+v", got, err, e)
		}
		for _, tc := range []struct {
			f    cohorts.EventFilter
			want int
		}{
			{cohorts.EventFilter{OrganisationIDs: []string{"o1"}}, 1},
			{cohorts.EventFilter{CohortIDs: []string{c.ID}, OrganisationIDs: []string{"other"}}, 0},
			{cohorts.EventFilter{}, 0},
			{cohorts.EventFilter{All: true}, 1},
		} {
			if list, err := s.Events(ctx, tc.f); err != nil || len(list) != tc.want {
				t.Fatalf("Events(%+v) = %+v, %v; want %d", tc.f, list, err, tc.want)
			}
		}
		for i, who := range []string{"u1", "u2", "u3"} {
			r := scoring.Event{ID: "s" + who, Kind: scoring.EventSubmission, TraineeID: who, InstanceID: "i", ScenarioID: "web-101",
				ObjectiveID: "o1", Correct: true, Points: 100 * (i + 1), At: now.Add(time.Minute)}
			if err := db.Scoring().Record(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		board, err := db.Scoring().ScopedScoreboard(ctx, scoring.BoardScope{OrganisationID: "o1", Scenarios: e.Scenarios, From: e.StartsAt, Until: e.EndsAt}, 10)
		if err != nil || len(board) != 2 || board[0].TraineeID != "u2" || board[0].Points != 200 || board[1].TraineeID != "u1" {
			t.Fatalf("the organisation's board = %+v, %v; want u2 (once) then u1, not u3", board, err)
		}
	})
}
