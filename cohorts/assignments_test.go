package cohorts_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
)

// catalogue is a range with a scenario on both tracks and one on attack only.
type catalogue map[string]map[string]string

func (c catalogue) ObjectiveTracks(id string) (map[string]string, bool) {
	o, ok := c[id]
	return o, ok
}

var scenarios = catalogue{
	"cloud-ir": {"find-key": "attack", "rotate-key": "defence"},
	"web-101":  {"sqli": "attack", "dump": "attack"},
}

// activity is what trainees did, by trainee and scenario.
type activity struct {
	launched map[string]time.Time            // trainee/scenario: when their last lab started
	solved   map[string]map[string]time.Time // trainee/scenario: objective → when
}

func (a activity) Launched(_ context.Context, trainee, scenario string, since time.Time) (bool, error) {
	at, ok := a.launched[trainee+"/"+scenario]
	return ok && !at.Before(since), nil
}

func (a activity) Solved(_ context.Context, trainee, scenario string) (map[string]time.Time, error) {
	return a.solved[trainee+"/"+scenario], nil
}

var (
	opens = start.Add(24 * time.Hour)
	due   = opens.Add(7 * 24 * time.Hour)
)

func assignment(late cohorts.LatePolicy, ids ...string) cohorts.AssignmentFields {
	return cohorts.AssignmentFields{Scenarios: ids, Tracks: cohorts.TracksBoth, OpensAt: opens, DueAt: due, Late: late}
}

// assigning is the world with coursework, and a clock the test moves.
func assigning(t *testing.T) (*world, *cohorts.Service, *time.Time, *activity) {
	w := newWorld(t)
	now := opens.Add(time.Hour)
	svc := cohorts.NewService(w.store, w.accounts, func() time.Time { return now })
	act := &activity{launched: map[string]time.Time{}, solved: map[string]map[string]time.Time{}}
	svc.UseCoursework(scenarios, act)
	return w, svc, &now, act
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	f, ok := fault.As(err)
	if !ok || f.Code != code || f.Field != field {
		t.Fatalf("err %v, want %s on %s", err, code, field)
	}
}

func TestAssignmentFieldsAreCheckedWithTheirField(t *testing.T) {
	w, svc, _, _ := assigning(t)
	teach, a := w.people["teachA"], w.cohort["A"].ID
	accept := cohorts.LatePolicy{Kind: cohorts.LateAccept}

	bad := assignment(accept, "cloud-ir")
	bad.DueAt = opens.Add(-time.Minute)
	_, err := svc.CreateAssignment(ctx, teach, a, bad)
	wantField(t, err, "due_at", "due_before_open")

	_, err = svc.CreateAssignment(ctx, teach, a, assignment(accept, "cloud-ir", "no-such-scenario"))
	wantField(t, err, "scenarios[1]", "scenario_unknown")

	_, err = svc.CreateAssignment(ctx, teach, a, assignment(accept, "web-101")) // attack only, both asked
	wantField(t, err, "scenarios[0]", "scenario_track_missing")

	for _, p := range []int{0, 101} {
		_, err = svc.CreateAssignment(ctx, teach, a, assignment(cohorts.LatePolicy{Kind: cohorts.LatePenalty, Percent: p}, "cloud-ir"))
		wantField(t, err, "late_penalty_percent", "late_penalty_invalid")
	}
	_, err = svc.CreateAssignment(ctx, teach, a, assignment(cohorts.LatePolicy{Kind: "maybe"}, "cloud-ir"))
	wantField(t, err, "late_policy", "late_policy_invalid")

	f := assignment(accept, "web-101")
	f.Tracks = cohorts.TracksAttack
	if _, err := svc.CreateAssignment(ctx, teach, a, f); err != nil {
		t.Fatalf("a valid assignment: %v", err)
	}
}

func TestOnlyACohortsManagersSetItsAssignments(t *testing.T) {
	w, svc, _, _ := assigning(t)
	a := w.cohort["A"].ID
	f := assignment(cohorts.LatePolicy{Kind: cohorts.LateAccept}, "cloud-ir")
	for who, code := range map[string]string{"hanako": "cohort_forbidden", "teachB": "cohort_not_found", "adminB": "cohort_not_found", "partner": "cohort_not_found"} {
		_, err := svc.CreateAssignment(ctx, w.people[who], a, f)
		wantFault(t, err, code)
	}
	var made cohorts.Assignment
	for _, who := range []string{"teachA", "adminA", "admin"} {
		as, err := svc.CreateAssignment(ctx, w.people[who], a, f)
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		made = as
	}
	for who, code := range map[string]string{"hanako": "cohort_forbidden", "teachB": "assignment_not_found", "partner": "assignment_not_found"} {
		_, err := svc.UpdateAssignment(ctx, w.people[who], made.ID, f)
		wantFault(t, err, code)
		wantFault(t, svc.DeleteAssignment(ctx, w.people[who], made.ID), code)
		_, _, err = svc.AssignmentStatus(ctx, w.people[who], made.ID)
		wantFault(t, err, code)
	}
	if list, err := svc.Assignments(ctx, w.people["hanako"], a); err != nil || len(list) != 3 {
		t.Fatalf("a member lists %d assignments, %v; want 3", len(list), err)
	}
	_, err := svc.Assignments(ctx, w.people["teachB"], a)
	wantFault(t, err, "cohort_not_found")
	if err := svc.DeleteAssignment(ctx, w.people["teachA"], made.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ArchiveCohort(ctx, w.people["teachA"], a); err != nil {
		t.Fatal(err)
	}
	_, err = svc.CreateAssignment(ctx, w.people["teachA"], a, f)
	wantFault(t, err, "cohort_archived")
}

func TestEachMembersStatus(t *testing.T) {
	w, svc, now, act := assigning(t)
	as, err := svc.CreateAssignment(ctx, w.people["teachA"], w.cohort["A"].ID, assignment(cohorts.LatePolicy{Kind: cohorts.LateAccept}, "cloud-ir"))
	if err != nil {
		t.Fatal(err)
	}
	hanako, taro := w.people["hanako"].UserID, w.people["taro"].UserID
	status := func() map[string]cohorts.Status {
		t.Helper()
		_, list, err := svc.AssignmentStatus(ctx, w.people["teachA"], as.ID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]cohorts.Status{}
		for _, p := range list {
			out[p.Person.ID] = p.Status
		}
		return out
	}
	act.launched[taro+"/cloud-ir"] = opens.Add(-time.Hour) // before it opened: does not count
	if s := status(); s[hanako] != cohorts.StatusNotStarted || s[taro] != cohorts.StatusNotStarted || len(s) != 2 {
		t.Fatalf("at the start: %v", s)
	}
	act.launched[hanako+"/cloud-ir"] = opens.Add(time.Minute)
	act.solved[hanako+"/cloud-ir"] = map[string]time.Time{"find-key": opens.Add(time.Hour)}
	if s := status(); s[hanako] != cohorts.StatusInProgress {
		t.Fatalf("a lab launched: %v", s)
	}
	act.solved[hanako+"/cloud-ir"]["rotate-key"] = due.Add(-time.Minute)
	if s := status(); s[hanako] != cohorts.StatusCompleted {
		t.Fatalf("all solved on time: %v", s)
	}
	*now = due.Add(time.Hour)
	if s := status(); s[hanako] != cohorts.StatusCompleted || s[taro] != cohorts.StatusLate {
		t.Fatalf("past due: %v", s)
	}
	act.solved[taro+"/cloud-ir"] = map[string]time.Time{"find-key": due.Add(time.Minute), "rotate-key": due.Add(time.Minute)}
	if s := status(); s[taro] != cohorts.StatusLate {
		t.Fatalf("completed after due: %v", s)
	}
	mine, err := svc.MyAssignments(ctx, w.people["taro"])
	if err != nil || len(mine) != 1 || mine[0].Progress.Status != cohorts.StatusLate || mine[0].Progress.CompletedAt == nil {
		t.Fatalf("taro's own assignments: %+v, %v", mine, err)
	}
	if mine, _ := svc.MyAssignments(ctx, w.people["teachA"]); len(mine) != 0 {
		t.Fatalf("an instructor is assigned %d", len(mine))
	}
}

func TestTheLatePolicyThatHoldsForASolve(t *testing.T) {
	w, svc, _, _ := assigning(t)
	teach, a := w.people["teachA"], w.cohort["A"].ID
	hanako := w.people["hanako"].UserID
	policy := func(at time.Time) (bool, int, bool) {
		t.Helper()
		late, p, closed, err := svc.LatePolicy(ctx, hanako, "cloud-ir", at)
		if err != nil {
			t.Fatal(err)
		}
		return late, p, closed
	}
	if late, _, _ := policy(due.Add(time.Hour)); late {
		t.Fatal("a scenario assigned to nobody is late")
	}
	closedOne, err := svc.CreateAssignment(ctx, teach, a, assignment(cohorts.LatePolicy{Kind: cohorts.LateClosed}, "cloud-ir"))
	if err != nil {
		t.Fatal(err)
	}
	if late, _, closed := policy(due); late || closed {
		t.Fatal("a solve at the due date is on time")
	}
	if late, _, closed := policy(opens.Add(-time.Hour)); late || closed {
		t.Fatal("a solve before it opens is not late")
	}
	if _, _, closed := policy(due.Add(time.Second)); !closed {
		t.Fatal("a closed assignment past due does not refuse")
	}
	later := assignment(cohorts.LatePolicy{Kind: cohorts.LatePenalty, Percent: 25}, "cloud-ir")
	later.DueAt = due.Add(24 * time.Hour)
	if _, err := svc.CreateAssignment(ctx, teach, a, later); err != nil {
		t.Fatal(err)
	}
	if late, _, closed := policy(due.Add(time.Hour)); late || closed {
		t.Fatal("on time for a later assignment of the same scenario is on time")
	}
	if late, p, closed := policy(later.DueAt.Add(time.Hour)); !late || p != 25 || closed {
		t.Fatalf("past both: late %v, %d%%, closed %v; want the penalty, the more lenient", late, p, closed)
	}
	if err := svc.DeleteAssignment(ctx, teach, closedOne.ID); err != nil {
		t.Fatal(err)
	}
}
