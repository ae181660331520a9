package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/scoring"
)

// A lab's first run and an assignment completed become records of their
// own, as the trainee's work is recorded: the launch once per lab (a reset
// adds none), the completion once, with the points earned in the
// assignment (its hint's cost taken off), the most it offered and the
// time it took. Neither counts on the scoreboard.
func TestLaunchAndCompletionBecomeRecords(t *testing.T) {
	d := fakeLabs()
	rg := newRangeWithLabs(t, d)
	admin, trainee, cohort := traineeInCohort(t, rg)
	made := rg.call("POST", "/api/v1/cohorts/"+cohort+"/assignments", map[string]any{"scenarios": []string{"orientation"},
		"tracks": "attack", "opens_at": "2026-01-05T09:00:00Z", "due_at": "2099-01-12T09:00:00Z", "late_policy": "accept"}, bearer(admin)...)
	expect(t, made, 201, "")
	assignment := made.body["id"].(string)
	me := rg.call("GET", "/api/v1/me", nil, bearer(trainee)...)
	traineeID, _ := me.body["id"].(string)
	if traineeID == "" {
		t.Fatalf("session: %s", me.raw)
	}

	lab := runningLab(t, rg, trainee)
	// records waits for want records of a kind, or the wait's end.
	records := func(kind scoring.EventKind, want int, wait time.Duration) []scoring.Event {
		t.Helper()
		for deadline := time.Now().Add(wait); ; time.Sleep(50 * time.Millisecond) {
			all, err := rg.db.Scoring().Events(context.Background(), traineeID, "orientation")
			if err != nil {
				t.Fatal(err)
			}
			var out []scoring.Event
			for _, e := range all {
				if e.Kind == kind {
					out = append(out, e)
				}
			}
			if len(out) >= want || time.Now().After(deadline) {
				return out
			}
		}
	}
	launches := records(scoring.EventLaunch, 1, 20*time.Second)
	if len(launches) != 1 || launches[0].InstanceID != lab || launches[0].Points != 0 {
		t.Fatalf("launch records after the lab ran: %+v", launches)
	}

	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/hints/where-is-web", nil, bearer(trainee)...), 200, "")
	r := rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": flagIn(t, d, lab)}, bearer(trainee)...)
	if r.body["correct"] != true {
		t.Fatalf("solve: %s", r.raw)
	}
	done := records(scoring.EventComplete, 1, 20*time.Second)
	if len(done) != 1 {
		t.Fatal("no completion recorded after the assignment's last objective was solved")
	}
	c := done[0]
	if c.AssignmentID != assignment || c.Score != 90 || c.MaxScore != 100 || c.Points != 0 || c.InstanceID != lab ||
		c.Duration <= 0 || c.Duration > time.Hour {
		t.Fatalf("the completion: %+v", c)
	}

	// A reset runs the lab again: still one launch. The scoreboard counts
	// the solve and the hint only.
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/reset", nil, bearer(trainee)...), 200, "")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if s := rg.call("GET", "/api/v1/labs/"+lab, nil, bearer(trainee)...); s.body["state"] == "running" && s.body["started_at"] != launches[0].At.Format(time.RFC3339Nano) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reset lab did not run again")
		}
	}
	if again := records(scoring.EventLaunch, 2, 2*time.Second); len(again) != 1 {
		t.Fatalf("launch records after a reset: %+v", again)
	}
	board := rg.call("GET", "/api/v1/scoreboard", nil, bearer(trainee)...)
	if !strings.Contains(board.raw, `"points":90`) || !strings.Contains(board.raw, `"solved":1`) {
		t.Fatalf("the scoreboard: %s", board.raw)
	}
}
