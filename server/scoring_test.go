package server_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

// runningLab launches orientation for the token's trainee and waits for it.
func runningLab(t testing.TB, rg *range_, token string) string {
	t.Helper()
	r := rg.call("POST", "/api/v1/labs", map[string]string{"scenario": "orientation"}, bearer(token)...)
	expect(t, r, 202, "")
	id := r.body["id"].(string)
	for deadline := time.Now().Add(60 * time.Second); r.body["state"] != "running"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("lab did not run: %s", r.raw)
		}
		r = rg.call("GET", "/api/v1/labs/"+id, nil, bearer(token)...)
	}
	return id
}

// flagIn reads the trainee's flag where the lab's web host keeps it.
func flagIn(t testing.TB, d driver.Driver, lab string) string {
	t.Helper()
	s, err := d.Exec(context.Background(), lab, "web", driver.ExecRequest{Command: []string{"sh", "-c", `echo "$FLAG"`}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.CloseWrite()
	out, _ := io.ReadAll(s)
	flag := strings.TrimSpace(string(out))
	if !strings.HasPrefix(flag, "FLAG{") {
		t.Fatalf("no flag in the lab: %q", out)
	}
	return flag
}

// notesCheck stands in for the field-notes objective's check command
// (test -s /tmp/notes.txt) on the fake's workstations: it passes once
// written is set.
func notesCheck(f *drivertest.Fake, written *atomic.Bool) {
	f.Handle("test", func(_ context.Context, p *drivertest.Process) int {
		if p.Host == "workstation" && strings.Join(p.Args, " ") == "test -s /tmp/notes.txt" && written.Load() {
			return 0
		}
		return 1
	})
}

func TestScoringOverTheAPI(t *testing.T) {
	d := fakeLabs()
	var notesWritten atomic.Bool
	notesCheck(d, &notesWritten)
	rg := newRangeWithLabs(t, d)
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test", "bob@range.test")
	lab := runningLab(t, rg, alice)
	submit := func(token, lab, answer string) reply {
		return rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": answer}, bearer(token)...)
	}

	r := rg.call("GET", "/api/v1/labs/"+lab+"/objectives", nil, bearer(alice)...)
	expect(t, r, 200, "")
	if !strings.Contains(r.raw, `"id":"first-flag"`) || strings.Contains(r.raw, "wget") || strings.Contains(r.raw, "FLAG{") {
		t.Fatalf("objectives leak hints or answers: %s", r.raw)
	}

	r = submit(alice, lab, "FLAG{not-it}")
	expect(t, r, 200, "")
	if r.body["correct"] != false {
		t.Fatalf("wrong flag accepted: %s", r.raw)
	}
	flag := flagIn(t, d, lab)
	r = submit(alice, lab, flag)
	if r.body["correct"] != true || r.body["points"] != float64(100) {
		t.Fatalf("the lab's own flag: %s", r.raw)
	}
	if r = submit(alice, lab, flag); r.body["already_solved"] != true || r.body["points"] != float64(0) {
		t.Fatalf("second submission: %s", r.raw)
	}
	// A hint of a solved objective is no longer offered, nor charged.
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/hints/where-is-web", nil, bearer(alice)...), 409, "objective_solved")
	if r = rg.call("GET", "/api/v1/labs/"+lab+"/objectives", nil, bearer(alice)...); !strings.Contains(r.raw, `"id":"first-flag"`) || strings.Contains(r.raw, "where-is-web") {
		t.Fatalf("a solved objective still offers its hints: %s", r.raw)
	}
	// A check objective: the platform runs the scenario's command in the lab.
	check := func() reply {
		return rg.call("POST", "/api/v1/labs/"+lab+"/objectives/field-notes/check", nil, bearer(alice)...)
	}
	if r = check(); r.status != 200 || r.body["correct"] != false {
		t.Fatalf("check before the work: %s", r.raw)
	}
	notesWritten.Store(true) // the trainee writes their notes
	if r = check(); r.body["correct"] != true || r.body["points"] != float64(20) {
		t.Fatalf("check after the work: %s", r.raw)
	}
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/objectives/field-notes", map[string]string{"answer": "done"}, bearer(alice)...), 409, "objective_not_submittable")

	r = rg.call("GET", "/api/v1/me/score", nil, bearer(alice)...)
	if r.body["points"] != float64(120) || r.body["solved"] != float64(2) {
		t.Fatalf("score: %s", r.raw)
	}

	// Progress: orientation complete, and the competencies it touched.
	r = rg.call("GET", "/api/v1/me/progress", nil, bearer(alice)...)
	expect(t, r, 200, "")
	if r.body["completed"] != float64(1) || r.body["solved"] != float64(2) || !strings.Contains(r.raw, `"id":"T1046","solved":2`) ||
		!strings.Contains(r.raw, `"id":"Vulnerability Analysis","solved":2,"scenarios":["orientation"]`) {
		t.Fatalf("progress: %s", r.raw)
	}
	if r = rg.call("GET", "/api/v1/me/progress", nil, bearer(bob)...); r.body["points"] != float64(0) || !strings.Contains(r.raw, `"scenarios":[]`) {
		t.Fatalf("progress of a trainee who did nothing yet: %s", r.raw)
	}

	r = rg.call("GET", "/api/v1/scoreboard?scenario=orientation", nil, bearer(bob)...)
	if !strings.Contains(r.raw, `"rank":1`) || !strings.Contains(r.raw, `"points":120`) || strings.Contains(r.raw, "@range.test") {
		t.Fatalf("scoreboard (display names, never emails): %s", r.raw)
	}

	// Bob hands in alice's flag in his own lab: rejected, and recorded.
	bobs := runningLab(t, rg, bob)
	r = submit(bob, bobs, flag)
	if r.body["correct"] != false || !strings.Contains(r.raw, "another trainee") {
		t.Fatalf("alice's flag from bob: %s", r.raw)
	}
	expect(t, rg.call("GET", "/api/v1/scoring/suspicions", nil, bearer(bob)...), 403, "forbidden")
	r = rg.call("GET", "/api/v1/scoring/suspicions", nil, bearer(teacher)...)
	if !strings.Contains(r.raw, bobs) || !strings.Contains(r.raw, `"shared_with"`) {
		t.Fatalf("suspicions: %s", r.raw)
	}
	// Staff read names and titles, not ids: both trainees and the scenario.
	for _, want := range []string{`"trainee_name":"bob"`, `"shared_with_name":"alice"`, `"scenario_title":"Range Orientation"`} {
		if !strings.Contains(r.raw, want) {
			t.Fatalf("suspicions lack %s: %s", want, r.raw)
		}
	}
	if h := rg.call("GET", "/api/v1/scoring/trainees/"+rg.userID("bob@range.test"), nil, bearer(teacher)...); h.body["trainee_name"] != "bob" {
		t.Fatalf("a trainee's timeline is not named: %s", h.raw)
	}
	// Alice handed in her flag without ever opening her lab's terminal
	// (this test read it through the driver): marked, not punished.
	if !strings.Contains(r.raw, "no_session") {
		t.Fatalf("a flag from a lab never opened is not marked: %s", r.raw)
	}

	// Bob gives up and reads the walkthrough: solving now earns nothing.
	r = rg.call("POST", "/api/v1/labs/"+bobs+"/objectives/first-flag/walkthrough", nil, bearer(bob)...)
	if r.status != 200 || !strings.Contains(r.raw, "wget") {
		t.Fatalf("walkthrough: %s", r.raw)
	}
	if r = submit(bob, bobs, flagIn(t, d, bobs)); r.body["correct"] != true || r.body["points"] != float64(0) {
		t.Fatalf("solve after the walkthrough: %s", r.raw)
	}
	bobID := rg.call("GET", "/api/v1/me", nil, bearer(bob)...).body["id"].(string)
	r = rg.call("GET", "/api/v1/scoring/trainees/"+bobID, nil, bearer(teacher)...)
	if !strings.Contains(r.raw, `"kind":"reveal"`) || !strings.Contains(r.raw, `"note":"walkthrough_revealed"`) {
		t.Fatalf("trainee detail: %s", r.raw)
	}
	expect(t, rg.call("GET", "/api/v1/scoring/trainees/"+bobID, nil, bearer(alice)...), 403, "forbidden")

	rg.check(t, []apiCase{
		{name: "another trainee's lab", method: "POST", url: "/api/v1/labs/" + lab + "/objectives/first-flag", body: map[string]string{"answer": flag}, token: bob, status: 404, code: "lab_not_found"},
		{name: "unknown objective", method: "POST", url: "/api/v1/labs/" + bobs + "/objectives/nope", body: map[string]string{"answer": "x"}, token: bob, status: 404, code: "objective_not_found"},
		{name: "points asked for", method: "POST", url: "/api/v1/labs/" + bobs + "/objectives/first-flag", body: map[string]any{"answer": "x", "points": 1000}, token: bob, status: 400, code: "field_unknown"},
		{name: "a path out of the lab", method: "POST", url: "/api/v1/labs/../objectives/first-flag", body: map[string]string{"answer": "x"}, token: bob, status: 404},
	})

	// A burst of guesses is cut off: 20 answers a minute per person by
	// default, counting the six bob has sent above.
	limited := 0
	for i := range 25 {
		if r := submit(bob, bobs, "FLAG{guess}"); r.status == 429 {
			expect(t, r, 429, "rate_limited")
			limited = i + 1
			break
		}
	}
	if limited != 15 {
		t.Fatalf("rate limit hit at guess %d, want 15 (the 21st answer in the minute)", limited)
	}

	// A stopped lab takes no more answers.
	expect(t, rg.call("DELETE", "/api/v1/labs/"+lab, nil, bearer(alice)...), 200, "")
	expect(t, submit(alice, lab, flag), 409, "lab_not_running")
}
