package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// eventBody is an event of cloud-ir that started an hour ago, froze ten
// minutes ago and ends in an hour.
func eventBody(cohortID string) map[string]any {
	now := time.Now().UTC()
	return map[string]any{"cohort_id": cohortID, "name": "期末CTF", "scenarios": []string{"cloud-ir"},
		"starts_at": now.Add(-time.Hour).Format(time.RFC3339), "ends_at": now.Add(time.Hour).Format(time.RFC3339),
		"freeze_at": now.Add(-10 * time.Minute).Format(time.RFC3339)}
}

// Every event and scoped-board endpoint, called by every role, answers as
// the table says: a cohort's event follows its cohort (another
// organisation's is not found, a member plays but does not run it), and
// range-wide events are run by range admins and played by everyone.
func TestEventAuthorizationTable(t *testing.T) {
	cl := newClass(t)
	ct := contractOf(t, cl.rg)
	cohortA := cl.a["id"].(string)
	roles := []string{"trainee", "teachA", "teachB", "adminA", "adminB", "partner", "admin", "anon"}
	const (
		ok         = "200"
		created    = "201"
		anon       = "401 token_missing"
		looks      = "403 cohort_forbidden"
		adminsOnly = "403 admins_only"
		noCohort   = "404 cohort_not_found"
		noEvent    = "404 event_not_found"
	)
	ev := "/api/v1/events/" + cl.ok("teachA", "POST", "/api/v1/events", eventBody(cohortA), 201)["id"].(string)
	open := "/api/v1/events/" + cl.ok("admin", "POST", "/api/v1/events", eventBody(""), 201)["id"].(string)
	table := []struct {
		method, path string
		body         any
		//      trainee, teachA (this cohort), teachB (other org), adminA (this org), adminB (other org), partner, admin, anon
		want [8]string
	}{
		{"POST", "/api/v1/events", eventBody(cohortA), [8]string{looks, created, noCohort, created, noCohort, noCohort, created, anon}},
		{"POST", "/api/v1/events", eventBody(""), [8]string{adminsOnly, adminsOnly, adminsOnly, adminsOnly, adminsOnly, adminsOnly, created, anon}},
		{"GET", "/api/v1/events", nil, [8]string{ok, ok, ok, ok, ok, ok, ok, anon}},
		{"GET", ev, nil, [8]string{ok, ok, noEvent, ok, noEvent, noEvent, ok, anon}},
		{"GET", ev + "/scoreboard", nil, [8]string{ok, ok, noEvent, ok, noEvent, noEvent, ok, anon}},
		{"PUT", ev, eventBody(""), [8]string{looks, ok, noEvent, ok, noEvent, noEvent, ok, anon}},
		{"GET", open, nil, [8]string{ok, ok, ok, ok, ok, ok, ok, anon}},
		{"GET", open + "/scoreboard", nil, [8]string{ok, ok, ok, ok, ok, ok, ok, anon}},
		{"PUT", open, eventBody(""), [8]string{looks, looks, looks, looks, looks, looks, ok, anon}},
		{"GET", "/api/v1/cohorts/" + cohortA + "/scoreboard", nil, [8]string{ok, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
		// Roles in order: teachA deletes it, so those after find it gone.
		{"DELETE", ev, nil, [8]string{looks, "204", noEvent, noEvent, noEvent, noEvent, noEvent, anon}},
		{"DELETE", open, nil, [8]string{looks, looks, looks, looks, looks, looks, "204", anon}},
	}
	for _, row := range table {
		for i, role := range roles {
			t.Run(fmt.Sprintf("%s %s as %s", row.method, strings.TrimPrefix(row.path, "/api/v1"), role), func(t *testing.T) {
				var status int
				var code string
				want := row.want[i]
				if s, c, found := strings.Cut(want, " "); found {
					fmt.Sscan(s, &status)
					code = c
				} else {
					fmt.Sscan(want, &status)
				}
				var headers []string
				if role != "anon" {
					headers = bearer(cl.token[role])
				}
				ct.run(t, cl.rg, exchange{method: row.method, path: row.path, body: row.body, headers: headers, status: status, code: code})
			})
		}
	}
}

// Bad fields are refused with their field and code.
func TestEventRefusesBadFields(t *testing.T) {
	cl := newClass(t)
	ct := contractOf(t, cl.rg)
	cohortA := cl.a["id"].(string)
	for _, tc := range []struct {
		change      func(map[string]any)
		field, code string
	}{
		{func(b map[string]any) { b["name"] = "" }, "name", "name_required"},
		{func(b map[string]any) { b["scenarios"] = []string{} }, "scenarios", "scenarios_required"},
		{func(b map[string]any) { b["scenarios"] = []string{"cloud-ir", "no-such"} }, "scenarios[1]", "scenario_unknown"},
		{func(b map[string]any) { b["starts_at"] = "tomorrow" }, "starts_at", "date_invalid"},
		{func(b map[string]any) { b["freeze_at"] = "2026-13-01" }, "freeze_at", "date_invalid"},
		{func(b map[string]any) { b["ends_at"] = b["starts_at"] }, "ends_at", "ends_before_start"},
		{func(b map[string]any) { b["freeze_at"] = b["starts_at"] }, "freeze_at", "freeze_outside_event"},
		{func(b map[string]any) { b["prize"] = "a cup" }, "", "field_unknown"},
	} {
		b := eventBody(cohortA)
		tc.change(b)
		r := cl.rg.call("POST", "/api/v1/events", b, bearer(cl.token["teachA"])...)
		if r.status != 400 || r.errorCode() != tc.code || (tc.field != "" && r.errorField() != tc.field) {
			t.Errorf("%s: %d %s on %q; body %.200s", tc.code, r.status, r.errorCode(), r.errorField(), r.raw)
		}
		ct.repliesWithin(t, "POST", "/api/v1/events", r)
	}
	archived := cl.ok("teachA", "POST", "/api/v1/cohorts", cohortBody(cl.orgA, "Old class"), 201)["id"].(string)
	cl.ok("teachA", "DELETE", "/api/v1/cohorts/"+archived, nil, 200)
	r := cl.rg.call("POST", "/api/v1/events", eventBody(archived), bearer(cl.token["teachA"])...)
	expect(t, r, 409, "cohort_archived")
}

// Players see a board past its freeze as frozen; its managers see it live
// and are told when it froze.
func TestEventBoardShowsItsFreeze(t *testing.T) {
	cl := newClass(t)
	ev := cl.ok("teachA", "POST", "/api/v1/events", eventBody(cl.a["id"].(string)), 201)
	if ev["phase"] != "frozen" || ev["manage"] != true {
		t.Fatalf("event = %v; want frozen, managed", ev)
	}
	path := "/api/v1/events/" + ev["id"].(string) + "/scoreboard"
	for who, frozen := range map[string]bool{"trainee": true, "teachA": false} {
		b := cl.ok(who, "GET", path, nil, 200)
		if b["frozen"] != frozen || b["freeze_at"] == nil {
			t.Errorf("%s sees %v; want frozen %v with freeze_at", who, b, frozen)
		}
	}
	mine := cl.ok("trainee", "GET", "/api/v1/events", nil, 200)["events"].([]any)
	if len(mine) != 1 || mine[0].(map[string]any)["manage"] != false {
		t.Fatalf("the trainee's events = %v", mine)
	}
	if theirs := cl.ok("teachB", "GET", "/api/v1/events", nil, 200)["events"].([]any); len(theirs) != 0 {
		t.Fatalf("another organisation's instructor sees %v", theirs)
	}
}

// Creating, changing and removing an event are staff actions, recorded.
func TestEventChangesAreRecorded(t *testing.T) {
	cl := newClass(t)
	id := cl.ok("teachA", "POST", "/api/v1/events", eventBody(cl.a["id"].(string)), 201)["id"].(string)
	cl.ok("teachA", "PUT", "/api/v1/events/"+id, eventBody(""), 200)
	cl.ok("teachA", "DELETE", "/api/v1/events/"+id, nil, 204)
	var got []string
	for _, line := range auditRecords(t, cl.rg, cl.token["admin"]) {
		if strings.Contains(line, " event.") {
			got = append(got, line)
		}
	}
	teach := cl.userID["teachA"]
	want := []string{teach + " event.create " + id, teach + " event.update " + id, teach + " event.delete " + id}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("recorded:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
