package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// orgEventBody is eventBody across an organisation rather than a cohort.
func orgEventBody(orgID string) map[string]any {
	b := eventBody("")
	b["organisation_id"] = orgID
	return b
}

// An event across organisation A, called by every role: its org admins
// and range admins run it, its instructor and the trainee of its cohort
// play it, and anyone of organisation B (or no organisation) is told it
// does not exist.
func TestOrganisationEventAuthorizationTable(t *testing.T) {
	cl := newClass(t)
	ct := contractOf(t, cl.rg)
	roles := []string{"trainee", "teachA", "teachB", "adminA", "adminB", "partner", "admin", "anon"}
	const (
		ok       = "200"
		created  = "201"
		anon     = "401 token_missing"
		looks    = "403 cohort_forbidden"
		noOrg    = "404 organisation_not_found"
		noEvent  = "404 event_not_found"
		conflict = "400 event_scope_conflict"
	)
	ev := "/api/v1/events/" + cl.ok("adminA", "POST", "/api/v1/events", orgEventBody(cl.orgA), 201)["id"].(string)
	both := orgEventBody(cl.orgA)
	both["cohort_id"] = cl.a["id"]
	table := []struct {
		method, path string
		body         any
		//      trainee, teachA (org A's instructor), teachB, adminA (org A's admin), adminB, partner, admin, anon
		want [8]string
	}{
		{"POST", "/api/v1/events", orgEventBody(cl.orgA), [8]string{noOrg, looks, noOrg, created, noOrg, noOrg, created, anon}},
		{"POST", "/api/v1/events", both, [8]string{conflict, conflict, conflict, conflict, conflict, conflict, conflict, anon}},
		{"GET", ev, nil, [8]string{ok, ok, noEvent, ok, noEvent, noEvent, ok, anon}},
		{"GET", ev + "/scoreboard", nil, [8]string{ok, ok, noEvent, ok, noEvent, noEvent, ok, anon}},
		{"PUT", ev, eventBody(""), [8]string{looks, looks, noEvent, ok, noEvent, noEvent, ok, anon}},
		{"DELETE", ev, nil, [8]string{looks, looks, noEvent, "204", noEvent, noEvent, noEvent, anon}},
	}
	for _, row := range table {
		for i, role := range roles {
			t.Run(fmt.Sprintf("%s %s as %s", row.method, strings.TrimPrefix(row.path, "/api/v1"), role), func(t *testing.T) {
				var status int
				var code string
				if s, c, found := strings.Cut(row.want[i], " "); found {
					fmt.Sscan(s, &status)
					code = c
				} else {
					fmt.Sscan(row.want[i], &status)
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

// The organisation's event is in the lists of those who play or run it,
// named by its organisation, and in no one else's.
func TestOrganisationEventIsListedForItsPeople(t *testing.T) {
	cl := newClass(t)
	id := cl.ok("adminA", "POST", "/api/v1/events", orgEventBody(cl.orgA), 201)["id"].(string)
	for who, want := range map[string]string{"trainee": "play", "teachA": "play", "adminA": "run", "admin": "run", "teachB": "", "adminB": "", "partner": ""} {
		got := ""
		for _, e := range cl.ok(who, "GET", "/api/v1/events", nil, 200)["events"].([]any) {
			e := e.(map[string]any)
			if e["id"] != id {
				continue
			}
			got = "play"
			if e["manage"] == true {
				got = "run"
			}
			if e["organisation_id"] != cl.orgA || e["cohort_id"] != nil {
				t.Errorf("%s: the event's scope: %v", who, e)
			}
		}
		if got != want {
			t.Errorf("%s: %q; want %q", who, got, want)
		}
	}
}
