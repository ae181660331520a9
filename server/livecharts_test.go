package server_test

import (
	"testing"
)

func (lc *liveClass) chartsPath() string {
	return "/api/v1/cohorts/" + lc.cohort + "/charts?scenario=orientation"
}

func TestClassChartsFollowTheClassRecords(t *testing.T) {
	lc := newLiveClass(t)
	empty := lc.rg.call("GET", lc.chartsPath(), nil, bearer(lc.token["teacher"])...)
	expect(t, empty, 200, "")
	if empty.body["trainees"] != float64(1) || len(empty.body["solves"].([]any)) != 0 || len(empty.body["score_bands"].([]any)) != 0 ||
		len(empty.body["stuck"].([]any)) != 0 || len(empty.body["time_to_solve"].([]any)) == 0 {
		t.Fatalf("before anyone works: %v", empty.body)
	}

	lab := runningLab(t, lc.rg, lc.token["alice"])
	submit := func(answer string) {
		expect(t, lc.rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": answer}, bearer(lc.token["alice"])...), 200, "")
	}
	submit("FLAG{not-it}")
	stuck := lc.rg.call("GET", lc.chartsPath(), nil, bearer(lc.token["teacher"])...)
	expect(t, stuck, 200, "")
	if s := stuck.body["stuck"].([]any); len(s) != 1 || s[0].(map[string]any)["objective_id"] != "first-flag" ||
		s[0].(map[string]any)["wrong"] != float64(1) || s[0].(map[string]any)["stuck"] != float64(1) {
		t.Fatalf("after a wrong answer: %v", stuck.body["stuck"])
	}
	submit(flagIn(t, lc.d, lab))
	solved := lc.rg.call("GET", lc.chartsPath(), nil, bearer(lc.token["teacher"])...)
	expect(t, solved, 200, "")
	if s := solved.body["solves"].([]any); len(s) != 1 || s[0].(map[string]any)["solves"] != float64(1) {
		t.Fatalf("solves after the solve: %v", solved.body["solves"])
	}
	if len(solved.body["score_bands"].([]any)) == 0 || solved.body["stuck"].([]any)[0].(map[string]any)["stuck"] != float64(0) {
		t.Fatalf("bands and stuck after the solve: %v", solved.body)
	}
	first := solved.body["time_to_solve"].([]any)[0].(map[string]any)
	if first["objective_id"] != "first-flag" || first["solves"] != float64(1) {
		t.Fatalf("time to solve: %v", first)
	}
}

func TestClassChartsAreForTheClassManagersOnly(t *testing.T) {
	lc := newLiveClass(t)
	// "other" teaches in another organisation.
	org := lc.rg.call("POST", "/api/v1/organisations", map[string]string{"name": "College", "slug": "college", "kind": "university"}, bearer(lc.token["admin"])...)
	expect(t, org, 201, "")
	expect(t, lc.rg.call("POST", "/api/v1/organisations/"+org.body["id"].(string)+"/members", map[string]string{"email": "other@range.test", "role": "instructor"}, bearer(lc.token["admin"])...), 200, "")
	for who, status := range map[string]int{"teacher": 200, "admin": 200, "other": 404, "alice": 404, "bob": 404} {
		code := ""
		if status == 404 {
			code = "cohort_not_found"
		}
		expect(t, lc.rg.call("GET", lc.chartsPath(), nil, bearer(lc.token[who])...), status, code)
	}
	expect(t, lc.rg.call("GET", lc.chartsPath(), nil), 401, "")
	expect(t, lc.rg.call("GET", "/api/v1/cohorts/"+lc.cohort+"/charts", nil, bearer(lc.token["teacher"])...), 400, "scenario_required")
	expect(t, lc.rg.call("GET", "/api/v1/cohorts/"+lc.cohort+"/charts?scenario=nope", nil, bearer(lc.token["teacher"])...), 400, "scenario_unknown")
	expect(t, lc.rg.call("GET", "/api/v1/cohorts/nope/charts?scenario=orientation", nil, bearer(lc.token["teacher"])...), 404, "cohort_not_found")

	ct := contractOf(t, lc.rg)
	for _, c := range []struct{ who, path string }{
		{"teacher", lc.chartsPath()}, {"alice", lc.chartsPath()}, {"teacher", "/api/v1/cohorts/" + lc.cohort + "/charts"},
		{"teacher", "/api/v1/cohorts/" + lc.cohort + "/charts?scenario=nope"},
	} {
		ct.holds(t, "GET", c.path, nil, lc.rg.call("GET", c.path, nil, bearer(lc.token[c.who])...))
	}
}
