package server_test

import (
	"testing"
)

// What managers do to organisations, cohorts, members and coursework is in
// the audit log, each once, naming the actor and what was changed; a trainee
// joining by code is not a staff action and is not recorded.
func TestCohortActionsAreAudited(t *testing.T) {
	cl := newClass(t) // made through the API: organisations, members, cohorts, a join
	a := "/api/v1/cohorts/" + cl.a["id"].(string)
	cl.ok("teachA", "PUT", a, cohortBody("", "Cloud IR A, renamed"), 200)
	cl.ok("teachA", "POST", a+"/join-code", nil, 200)
	cl.ok("teachA", "POST", a+"/members", map[string]string{"email": "partner@range.test", "role": "member"}, 201)
	cl.ok("teachA", "DELETE", a+"/members/"+cl.userID["partner"], nil, 204)
	r := cl.rg.call("POST", a+"/roster", "email\nnew@uni.example\n", "Content-Type", "text/csv", "Authorization", "Bearer "+cl.token["teachA"])
	expect(t, r, 200, "")
	as := cl.ok("teachA", "POST", a+"/assignments", assignmentBody("cloud-ir"), 201)["id"].(string)
	cl.ok("teachA", "PUT", "/api/v1/assignments/"+as, assignmentBody("cloud-ir"), 200)
	cl.ok("teachA", "DELETE", "/api/v1/assignments/"+as, nil, 204)
	cl.ok("adminA", "DELETE", "/api/v1/organisations/"+cl.orgA+"/members/"+cl.userID["teachA"], nil, 204)
	cl.ok("admin", "DELETE", a, nil, 200)

	admin := cl.token["admin"]
	for action, count := range map[string]int{
		"organisation.create": 2, "organisation.member_put": 4, "organisation.member_remove": 1,
		"cohort.create": 2, "cohort.update": 1, "cohort.join_code_rotate": 1, "cohort.member_add": 1, "cohort.member_remove": 1,
		"cohort.roster_import": 1, "cohort.archive": 1, "assignment.create": 1, "assignment.update": 1, "assignment.delete": 1,
	} {
		if got := auditEntries(t, cl.rg, admin, "action="+action); len(got) != count {
			t.Errorf("%s: %d entries, want %d: %v", action, len(got), count, got)
		}
	}
	e := onlyEntry(t, cl.rg, admin, "cohort.member_remove")
	if e["actor_id"] != cl.userID["teachA"] || e["target_id"] != cl.a["id"] || e["detail"].(map[string]any)["user"] != cl.userID["partner"] {
		t.Fatalf("cohort.member_remove: %v", e)
	}
	if e := onlyEntry(t, cl.rg, admin, "cohort.roster_import"); e["detail"].(map[string]any)["invited"] != "1" {
		t.Fatalf("cohort.roster_import: %v", e)
	}
	if e := onlyEntry(t, cl.rg, admin, "assignment.create"); e["detail"].(map[string]any)["scenarios"] != "cloud-ir" {
		t.Fatalf("assignment.create: %v", e)
	}
}
