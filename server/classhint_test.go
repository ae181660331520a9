package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// An instructor unlocks a hint for the whole class: every trainee has it,
// lab or no lab, at no cost; the class is told at once on their pages, the
// live matrix counts it, and the audit log records it.
func TestHintUnlockedForTheWholeClass(t *testing.T) {
	lc := newLiveClass(t)
	rg := lc.rg
	lab := runningLab(t, rg, lc.token["alice"])
	_, inbox := openStream(t, lc.base, "/api/v1/me/messages/stream", lc.token["alice"])
	_, matrix := openStream(t, lc.base, lc.livePath(), lc.token["teacher"])
	next(t, matrix, "snapshot")
	hints := "/api/v1/cohorts/" + lc.cohort + "/hints"

	r := rg.call("POST", hints, map[string]string{"scenario": "orientation", "hint": "where-is-web"}, bearer(lc.token["teacher"])...)
	expect(t, r, 200, "")
	if r.body["given"] != float64(1) || r.body["objective"] != "first-flag" {
		t.Fatalf("given: %s", r.raw)
	}
	if msg := next(t, inbox, "message"); !strings.Contains(msg.Data["text"].(string), "echo $WEB_HOST") {
		t.Fatalf("the class was told: %v", msg.Data)
	}
	for {
		if row := next(t, matrix, "row"); row.Data["hints"] == float64(1) {
			break
		}
	}

	// Alice sees it unlocked and has paid nothing.
	r = rg.call("GET", "/api/v1/labs/"+lab+"/objectives", nil, bearer(lc.token["alice"])...)
	if !strings.Contains(r.raw, "echo $WEB_HOST") {
		t.Fatalf("alice's objectives: %s", r.raw)
	}
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/hints/where-is-web", nil, bearer(lc.token["alice"])...), 200, "")
	if score := rg.call("GET", "/api/v1/me/score", nil, bearer(lc.token["alice"])...); score.body["points"] != float64(0) {
		t.Fatalf("alice was charged: %s", score.raw)
	}

	// Again: nobody is left to give it to.
	r = rg.call("POST", hints, map[string]string{"scenario": "orientation", "hint": "where-is-web"}, bearer(lc.token["teacher"])...)
	if r.status != 200 || r.body["given"] != float64(0) {
		t.Fatalf("given twice: %d %s", r.status, r.raw)
	}
	entries := auditEntries(t, rg, lc.token["admin"], "action=cohort.hint_unlock")
	if len(entries) != 2 || entries[0]["target_id"] != lc.cohort || entries[0]["detail"].(map[string]any)["hint"] != "where-is-web" {
		t.Fatalf("audit: %v", entries)
	}
}

// Bad requests name the field; a class the caller does not manage does not
// exist for them.
func TestClassHintRequestsAreChecked(t *testing.T) {
	lc := newLiveClass(t)
	ct := contractOf(t, lc.rg)
	hints := "/api/v1/cohorts/" + lc.cohort + "/hints"
	for _, c := range []struct {
		who    string
		body   any
		status int
		code   string
	}{
		{"teacher", map[string]string{"scenario": "orientation"}, 400, "hint_required"},
		{"teacher", map[string]string{"hint": "where-is-web"}, 400, "scenario_required"},
		{"teacher", map[string]any{"scenario": "orientation", "hint": 3}, 400, "field_type_invalid"},
		{"teacher", map[string]string{"scenario": "orientation", "hint": "nope"}, 404, "hint_not_found"},
		{"teacher", map[string]string{"scenario": "atlantis", "hint": "where-is-web"}, 404, "scenario_not_found"},
		{"alice", map[string]string{"scenario": "orientation", "hint": "where-is-web"}, 404, "cohort_not_found"},
		{"other", map[string]string{"scenario": "orientation", "hint": "where-is-web"}, 404, "cohort_not_found"},
	} {
		r := lc.rg.call("POST", hints, c.body, bearer(lc.token[c.who])...)
		expect(t, r, c.status, c.code)
		raw, _ := json.Marshal(c.body)
		ct.holds(t, "POST", hints, raw, r)
	}
}
