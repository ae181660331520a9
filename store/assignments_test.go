package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestAssignmentsKeepTheirOrderAndReachOnlyActiveMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		now := time.Now().UTC().Truncate(time.Second)
		if err := s.AddMembers(ctx, []cohorts.Membership{
			{ID: "m1", CohortID: c.ID, Person: cohorts.Person{ID: "u1"}, Role: cohorts.CohortInstructor, Via: cohorts.ViaAdded, JoinedAt: now},
			{ID: "m2", CohortID: c.ID, Person: cohorts.Person{ID: "u2"}, Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: now},
		}); err != nil {
			t.Fatal(err)
		}
		later := cohorts.Assignment{ID: "a2", CohortID: c.ID, Scenarios: []string{"web-101"}, Tracks: cohorts.TracksAttack,
			OpensAt: now, DueAt: now.Add(48 * time.Hour), Late: cohorts.LatePolicy{Kind: cohorts.LateClosed}, CreatedBy: "u1", CreatedAt: now}
		first := cohorts.Assignment{ID: "a1", CohortID: c.ID, Title: "初週", Scenarios: []string{"cloud-ir", "web-101"}, Tracks: cohorts.TracksBoth,
			OpensAt: now, DueAt: now.Add(24 * time.Hour), Late: cohorts.LatePolicy{Kind: cohorts.LatePenalty, Percent: 30}, CreatedBy: "u1", CreatedAt: now}
		for _, a := range []cohorts.Assignment{later, first} {
			if err := s.CreateAssignment(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Assignment(ctx, "a1")
		if err != nil || !reflect.DeepEqual(got, first) {
			t.Fatalf("Assignment = %+v, %v; want %+v", got, err, first)
		}
		list, err := s.Assignments(ctx, c.ID)
		if err != nil || len(list) != 2 || list[0].ID != "a1" || list[1].ID != "a2" {
			t.Fatalf("Assignments = %+v, %v; want a1 then a2 by due date", list, err)
		}
		for user, want := range map[string]int{"u2": 2, "u1": 0, "u3": 0} { // instructors and outsiders have none
			mine, err := s.MemberAssignments(ctx, user)
			if err != nil || len(mine) != want {
				t.Fatalf("MemberAssignments(%s) = %d, %v; want %d", user, len(mine), err, want)
			}
		}

		first.Scenarios, first.Late = []string{"web-101"}, cohorts.LatePolicy{Kind: cohorts.LateAccept}
		if err := s.UpdateAssignment(ctx, first); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Assignment(ctx, "a1"); !reflect.DeepEqual(got, first) {
			t.Fatalf("after update = %+v; want %+v", got, first)
		}
		if _, err := s.RemoveMember(ctx, c.ID, "u2", now); err != nil {
			t.Fatal(err)
		}
		if mine, _ := s.MemberAssignments(ctx, "u2"); len(mine) != 0 {
			t.Fatalf("a removed member still has %d assignments", len(mine))
		}
		if err := s.DeleteAssignment(ctx, "a1"); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{s.DeleteAssignment(ctx, "a1"), s.UpdateAssignment(ctx, first)} {
			if !errors.Is(err, cohorts.ErrAssignmentNotFound) {
				t.Fatalf("a deleted assignment: %v, want ErrAssignmentNotFound", err)
			}
		}
		if _, err := s.Assignment(ctx, "a1"); !errors.Is(err, cohorts.ErrAssignmentNotFound) {
			t.Fatalf("Assignment(deleted) = %v", err)
		}
	})
}
