package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
)

// coursework is the range's catalogue and activity as assignments see them
// in these tests: one scenario on both tracks, and nobody has done anything.
type coursework struct{}

func (coursework) ObjectiveTracks(id string) (map[string]string, bool) {
	if id != "cloud-ir" {
		return nil, false
	}
	return map[string]string{"find-key": "attack", "rotate-key": "defence"}, true
}

func (coursework) Launched(context.Context, string, string, time.Time) (bool, error) {
	return false, nil
}

func (coursework) Solved(context.Context, string, string) (map[string]time.Time, error) {
	return map[string]time.Time{}, nil
}

func assignmentBody(scenarios ...string) map[string]any {
	return map[string]any{"title": "第1週", "scenarios": scenarios, "tracks": "both", "opens_at": "2026-04-01T09:00:00+09:00",
		"due_at": "2026-04-08T09:00:00+09:00", "late_policy": "penalty", "late_penalty_percent": 20}
}

// Bad input names the field at fault: a due date before the open date,
// and a scenario the range does not have, by its place in the list.
func TestAssignmentInputIsCheckedByField(t *testing.T) {
	cl := newClass(t)
	path := "/api/v1/cohorts/" + cl.a["id"].(string) + "/assignments"
	early := assignmentBody("cloud-ir")
	early["due_at"] = "2026-03-31T09:00:00+09:00"
	cases := []struct {
		body        map[string]any
		field, code string
	}{
		{early, "due_at", "due_before_open"},
		{assignmentBody("cloud-ir", "no-such-scenario"), "scenarios[1]", "scenario_unknown"},
		{map[string]any{"scenarios": []string{"cloud-ir"}, "opens_at": "tomorrow"}, "opens_at", "date_invalid"},
	}
	ct := contractOf(t, cl.rg)
	for _, c := range cases {
		ct.run(t, cl.rg, exchange{method: "POST", path: path, body: c.body, headers: bearer(cl.token["teachA"]), status: 400, code: c.code})
		r := cl.rg.call("POST", path, c.body, bearer(cl.token["teachA"])...)
		if f, _ := r.body["error"].(map[string]any)["field"].(string); f != c.field {
			t.Errorf("%s: field %q, want %q; body %s", c.code, f, c.field, r.raw)
		}
	}
}

// The trainee sees their assignment with its due date and their status;
// the instructor sees who has not started.
func TestAssignmentStatusAndTheTraineesOwnList(t *testing.T) {
	cl := newClass(t)
	cl.ok("teachA", "POST", "/api/v1/cohorts/"+cl.a["id"].(string)+"/assignments", assignmentBody("cloud-ir"), 201)
	mine := cl.ok("trainee", "GET", "/api/v1/me/assignments", nil, 200)["assignments"].([]any)
	if len(mine) != 1 {
		t.Fatalf("the trainee has %d assignments, want 1", len(mine))
	}
	got := mine[0].(map[string]any)
	if got["due_at"] != "2026-04-08T00:00:00Z" || got["status"] == "" {
		t.Fatalf("the trainee's assignment: %v", got)
	}
	status := cl.ok("teachA", "GET", "/api/v1/assignments/"+got["id"].(string)+"/status", nil, 200)
	waiting := status["not_started"].([]any)
	late := status["counts"].(map[string]any)["late"].(float64)
	// The due date is in the past of the wall clock: a trainee with
	// nothing done is late, not merely not started.
	if len(waiting)+int(late) != 1 || len(status["members"].([]any)) != 1 {
		t.Fatalf("status: %v", status)
	}
}

// A trainee's lab of an assigned scenario, past its due date: closed
// refuses the answer; a penalty is taken off the points the record keeps;
// and the instructor sees the trainee late.
func TestLateSolvesFollowTheAssignmentsPolicy(t *testing.T) {
	d := fakeLabs()
	rg := newRangeWithLabs(t, d)
	admin, trainee, cohort := traineeInCohort(t, rg)

	body := map[string]any{"scenarios": []string{"orientation"}, "tracks": "attack", "opens_at": "2026-01-05T09:00:00Z",
		"due_at": "2026-01-12T09:00:00Z", "late_policy": "closed"}
	made := rg.call("POST", "/api/v1/cohorts/"+cohort+"/assignments", body, bearer(admin)...)
	expect(t, made, 201, "")
	assignment := "/api/v1/assignments/" + made.body["id"].(string)

	lab := runningLab(t, rg, trainee)
	flag := flagIn(t, d, lab)
	submit := func() reply {
		return rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": flag}, bearer(trainee)...)
	}
	expect(t, submit(), 409, "assignment_closed")

	body["late_policy"], body["late_penalty_percent"] = "penalty", 30
	expect(t, rg.call("PUT", assignment, body, bearer(admin)...), 200, "")
	r := submit()
	if r.body["correct"] != true || r.body["points"] != float64(70) {
		t.Fatalf("a late solve with a 30%% penalty: %s", r.raw)
	}
	// Changing the policy afterwards does not rewrite the record.
	body["late_policy"] = "accept"
	expect(t, rg.call("PUT", assignment, body, bearer(admin)...), 200, "")
	if p := rg.call("GET", "/api/v1/me/assignments", nil, bearer(trainee)...); !strings.Contains(p.raw, `"status":"late"`) ||
		!strings.Contains(p.raw, `"solved":1,"required":1`) {
		t.Fatalf("the trainee's own status: %s", p.raw)
	}
	score := rg.call("GET", "/api/v1/scoreboard", nil, bearer(trainee)...)
	if !strings.Contains(score.raw, `"points":70`) {
		t.Fatalf("the scoreboard after the policy changed: %s", score.raw)
	}
}

// traineeInCohort sets up the range's admin, an organisation with one
// cohort, and a trainee who joined it: the admin's and the trainee's
// tokens, and the cohort's id.
func traineeInCohort(t *testing.T, rg *range_) (admin, trainee, cohort string) {
	t.Helper()
	admin = rg.setupAdmin()
	trainee, _ = rg.userWithRole("hanako@range.test", accounts.RoleTrainee)
	org := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Uni", "slug": "uni", "kind": "university"}, bearer(admin)...)
	expect(t, org, 201, "")
	made := rg.call("POST", "/api/v1/cohorts", cohortBody(org.body["id"].(string), "Cloud IR"), bearer(admin)...)
	expect(t, made, 201, "")
	expect(t, rg.call("POST", "/api/v1/cohorts/join", map[string]string{"code": made.body["join_code"].(string)}, bearer(trainee)...), 200, "")
	return admin, trainee, made.body["id"].(string)
}
