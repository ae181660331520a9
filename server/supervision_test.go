package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
)

// Staff routes answer for a trainee's lab, replay, records and marks as the
// table says: the trainee's own instructor and organisation admin and the
// range admins see them; another organisation's instructor or admin finds
// nothing there, as if it did not exist.
func TestStaffSeeOnlyTheirClassesTable(t *testing.T) {
	f := fakeLabs()
	fakeTerminals(f)
	rg := newRangeWithLabs(t, f, withLoginLimit(50))
	base := rg.listen()
	cl := classOn(t, rg)
	ct := contractOf(t, rg)
	lab := runningLab(t, rg, cl.token["trainee"])
	ws, _, err := dialTerminal(t, rg, base, cl.token["trainee"], lab, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("echo replayed\n"))
	readUntil(t, ws, "replayed")
	hangUp(ws)
	r := rg.call("GET", "/api/v1/labs/"+lab+"/recordings", nil, bearer(cl.token["trainee"])...)
	expect(t, r, 200, "")
	recording := "/api/v1/recordings/" + r.body["recordings"].([]any)[0].(map[string]any)["id"].(string)

	roles := []string{"trainee", "teachA", "teachB", "adminA", "adminB", "partner", "admin", "anon"}
	const (
		ok        = "200"
		anon      = "401 token_missing"
		forbidden = "403 forbidden"
		noLab     = "404 lab_not_found"
		noTrainee = "404 trainee_not_found"
		noReplay  = "404 recording_not_found"
	)
	l, staffLab := "/api/v1/labs/"+lab, "/api/v1/staff/labs/"+lab
	table := []struct {
		method, path string
		body         any
		//      trainee (the lab's), teachA (teaches them), teachB (other org), adminA (their org), adminB (other org), partner, admin, anon
		want [8]string
	}{
		{"GET", l, nil, [8]string{ok, ok, noLab, ok, noLab, noLab, ok, anon}},
		{"GET", l + "/events", nil, [8]string{ok, ok, noLab, ok, noLab, noLab, ok, anon}},
		{"GET", l + "/health", nil, [8]string{ok, ok, noLab, ok, noLab, noLab, ok, anon}},
		{"GET", l + "/recordings", nil, [8]string{ok, ok, noLab, ok, noLab, noLab, ok, anon}},
		{"GET", recording, nil, [8]string{ok, ok, noReplay, ok, noReplay, noReplay, ok, anon}},
		{"POST", l + "/terminal", nil, [8]string{ok, ok, noLab, ok, noLab, noLab, ok, anon}},
		{"POST", l + "/web", map[string]any{"host": "web", "port": 8080}, [8]string{"201", "201", noLab, "201", noLab, noLab, "201", anon}},
		{"GET", staffLab, nil, [8]string{forbidden, ok, noLab, ok, noLab, forbidden, ok, anon}},
		{"POST", staffLab + "/shadow", nil, [8]string{forbidden, ok, noLab, ok, noLab, forbidden, ok, anon}},
		{"GET", "/api/v1/scoring/trainees/" + cl.userID["trainee"], nil, [8]string{forbidden, ok, noTrainee, ok, noTrainee, forbidden, ok, anon}},
		// Last: stopping a stopped lab is no error, so each who may stops it.
		{"DELETE", l, nil, [8]string{ok, ok, noLab, ok, noLab, noLab, ok, anon}},
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
				if strings.HasSuffix(row.path, "/events") || strings.HasPrefix(row.path, "/api/v1/recordings/") {
					// A stream and a cast file: the status and code are what
					// this table is about.
					r := rg.call(row.method, row.path, row.body, headers...)
					if r.status != status || (code != "" && r.errorCode() != code) {
						t.Errorf("%d %q, want %s; body %.300s", r.status, r.errorCode(), row.want[i], r.raw)
					}
					return
				}
				ct.run(t, rg, exchange{method: row.method, path: row.path, body: row.body, headers: headers, status: status, code: code})
			})
		}
	}
}

// Lists of labs and suspicion marks hold only the caller's classes'
// trainees; an org's instructor who does not teach a cohort sees none of it.
func TestStaffListsHoldOnlyTheirClasses(t *testing.T) {
	d := fakeLabs()
	rg := newRangeWithLabs(t, d, withLoginLimit(50))
	cl := classOn(t, rg)
	other, _ := rg.userWithRole("other@range.test", accounts.RoleTrainee)
	cl.ok("teachB", "POST", "/api/v1/cohorts/"+cl.b["id"].(string)+"/members", map[string]string{"email": "other@range.test", "role": "member"}, 201)
	spare, _ := rg.userWithRole("spare@range.test", accounts.RoleInstructor)
	cl.ok("adminA", "POST", "/api/v1/organisations/"+cl.orgA+"/members", map[string]string{"email": "spare@range.test", "role": "instructor"}, 200)

	mine, theirs := runningLab(t, rg, cl.token["trainee"]), runningLab(t, rg, other)
	// The other trainee hands in this trainee's flag: both are marked.
	flag := flagIn(t, d, mine)
	r := rg.call("POST", "/api/v1/labs/"+theirs+"/objectives/first-flag", map[string]string{"answer": flag}, bearer(other)...)
	expect(t, r, 200, "")

	cases := []struct {
		who, token  string
		has, hasNot []string // labs
		marked      bool     // sees the mark on the other trainee's solve
	}{
		{"admin", cl.token["admin"], []string{mine, theirs}, nil, true},
		{"teachA", cl.token["teachA"], []string{mine}, []string{theirs}, false},
		{"adminA", cl.token["adminA"], []string{mine}, []string{theirs}, false},
		{"teachB", cl.token["teachB"], []string{theirs}, []string{mine}, true},
		{"spare", spare, nil, []string{mine, theirs}, false},
	}
	var checks []apiCase
	for _, c := range cases {
		checks = append(checks, apiCase{name: c.who + " labs", method: "GET", url: "/api/v1/labs?all=1", token: c.token, status: 200, has: c.has, hasNot: c.hasNot})
		marks := apiCase{name: c.who + " suspicions", method: "GET", url: "/api/v1/scoring/suspicions", token: c.token, status: 200, hasNot: []string{theirs}}
		if c.marked {
			marks.has, marks.hasNot = []string{theirs}, nil
		}
		checks = append(checks, marks)
	}
	rg.check(t, checks)

	// teachB sees their trainee's mark, but not the name of the owner of the
	// flag, who is not theirs.
	r = rg.call("GET", "/api/v1/scoring/suspicions", nil, bearer(cl.token["teachB"])...)
	if strings.Contains(r.raw, "shared_with_name") {
		t.Fatalf("the owner of the flag was named to another organisation: %s", r.raw)
	}
}
