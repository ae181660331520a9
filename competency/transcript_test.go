package competency_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/competency"
)

var at = time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)

// catalogue is two scenarios: one whose objectives name their own
// techniques and statements, one that leaves them to the scenario.
func catalogue() []competency.Scenario {
	return []competency.Scenario{
		{ID: "metadata-heist", Title: "Metadata Heist", Techniques: []string{"T1190", "T1552.005"}, Roles: []string{"Incident Response"},
			Objectives: []competency.Objective{
				{ID: "steal", Title: "Steal the role's keys", Verified: "flag", Techniques: []string{"T1552.005"}, Statements: []string{"T1118"}},
				{ID: "triage", Title: "Triage the incident", Verified: "question", Statements: []string{"T1030", "K0729"}},
			}},
		{ID: "open-by-default", Title: "Open by Default", Techniques: []string{"T1619", "T1530"}, Roles: []string{"Defensive Cybersecurity"},
			Objectives: []competency.Objective{{ID: "list", Title: "List the bucket", Verified: "flag"}}},
	}
}

func TestTranscriptCitesEveryEvidence(t *testing.T) {
	ix := competency.NewIndex(competency.Bundled(), catalogue())
	solves := []competency.Record{
		{ID: "r2", Scenario: "metadata-heist", Objective: "triage", Lab: "lab-1", At: at.Add(time.Hour)},
		{ID: "r1", Scenario: "metadata-heist", Objective: "steal", Lab: "lab-1", At: at},
		{ID: "r3", Scenario: "open-by-default", Objective: "list", Lab: "lab-2", At: at.Add(2 * time.Hour)},
		{ID: "r4", Scenario: "retired", Objective: "gone", Lab: "lab-0", At: at},
	}
	tr := ix.Transcript(competency.Trainee{ID: "u1", Name: "佐藤 花子"}, solves, at)

	ids := func(items []competency.Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}
	if got := ids(tr.Techniques); !equal(got, []string{"T1190", "T1530", "T1552.005", "T1619"}) {
		t.Errorf("techniques %v: the triage objective evidences the scenario's, the steal objective only its own", got)
	}
	if got := ids(tr.Statements); !equal(got, []string{"K0729", "T1030", "T1118"}) {
		t.Errorf("statements %v", got)
	}
	if n := len(tr.Techniques[0].Evidence); n != 1 {
		t.Errorf("T1190 has %d evidence lines, want the triage solve only", n)
	}
	ev := tr.Techniques[2].Evidence[0]
	want := competency.Evidence{RecordID: "r1", ScenarioID: "metadata-heist", ScenarioTitle: "Metadata Heist", ObjectiveID: "steal",
		ObjectiveTitle: "Steal the role's keys", Verified: "flag", LabID: "lab-1", At: at}
	if ev != want {
		t.Errorf("evidence %+v, want %+v", ev, want)
	}
	if len(tr.Sources) != 2 || tr.Trainee.Name != "佐藤 花子" {
		t.Errorf("sources or trainee: %+v", tr)
	}
}

func TestAttainmentIsTheShareOfARolesStatements(t *testing.T) {
	f := competency.Bundled()
	ix := competency.NewIndex(f, catalogue())
	tr := ix.Transcript(competency.Trainee{ID: "u1"}, []competency.Record{
		{ID: "r2", Scenario: "metadata-heist", Objective: "triage", At: at},
		{ID: "r3", Scenario: "open-by-default", Objective: "list", At: at},
	}, at)
	ir, _ := f.Role("Incident Response")
	dc, _ := f.Role("Defensive Cybersecurity")
	got := map[string]competency.Attainment{}
	for _, a := range tr.Roles {
		got[a.ID] = a
	}
	a := got[ir.ID]
	if !equal(a.Evidenced, []string{"T1030", "K0729"}) || a.Total != len(ir.Statements) || a.Share != 2/float64(len(ir.Statements)) {
		t.Errorf("Incident Response: %+v", a)
	}
	if len(a.Evidence) != 1 || a.Evidence[0].RecordID != "r2" {
		t.Errorf("Incident Response evidence: %+v", a.Evidence)
	}
	// Solving an objective that names no statement trains the role
	// without showing any of it.
	if d := got[dc.ID]; d.Share != 0 || len(d.Evidenced) != 0 || len(d.Evidence) != 1 {
		t.Errorf("Defensive Cybersecurity: %+v", d)
	}
}

func TestEmptyTranscript(t *testing.T) {
	tr := competency.NewIndex(competency.Bundled(), catalogue()).Transcript(competency.Trainee{ID: "u"}, nil, at)
	if tr.Roles == nil || tr.Techniques == nil || tr.Statements == nil {
		t.Errorf("lists must be empty, not null: %+v", tr)
	}
}

func TestCohortViewHeatAndGaps(t *testing.T) {
	ix := competency.NewIndex(competency.Bundled(), catalogue())
	a := ix.Transcript(competency.Trainee{ID: "a"}, []competency.Record{{ID: "1", Scenario: "metadata-heist", Objective: "steal", At: at}}, at)
	b := ix.Transcript(competency.Trainee{ID: "b"}, []competency.Record{
		{ID: "2", Scenario: "metadata-heist", Objective: "steal", At: at},
		{ID: "3", Scenario: "open-by-default", Objective: "list", At: at},
	}, at)
	v := ix.Cohort([]competency.Transcript{a, b})
	heat := map[string]int{}
	for _, h := range v.Techniques {
		heat[h.ID] = h.Trainees
	}
	if heat["T1552.005"] != 2 || heat["T1530"] != 1 || heat["T1190"] != 0 {
		t.Errorf("heat %v", heat)
	}
	var gaps []string
	for _, g := range v.Gaps {
		gaps = append(gaps, g.Framework+":"+g.ID)
	}
	if !equal(gaps, []string{"attack:T1190", "nice:K0729", "nice:T1030"}) {
		t.Errorf("gaps %v", gaps)
	}
	// Incident Response is trained though nobody has shown any of it;
	// a statement two roles share moves both.
	shares := map[string][]float64{}
	for _, r := range v.Roles {
		shares[r.Name] = r.Shares
	}
	if ir := shares["Incident Response"]; len(ir) != 2 || ir[0] != 0 || ir[1] != 0 {
		t.Errorf("Incident Response row %v", ir)
	}
	if va := shares["Vulnerability Analysis"]; len(va) != 2 || va[0] == 0 || va[0] != va[1] {
		t.Errorf("Vulnerability Analysis row %v", va)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// CohortOf, which builds no evidence lines, reads a cohort as Cohort does
// from the full transcripts.
func TestCohortOfMatchesCohort(t *testing.T) {
	ix := competency.NewIndex(competency.Bundled(), catalogue())
	trainees := []competency.Trainee{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	solves := map[string][]competency.Record{
		"a": {{ID: "1", Scenario: "metadata-heist", Objective: "steal", At: at}},
		"b": {{ID: "2", Scenario: "metadata-heist", Objective: "triage", At: at}, {ID: "3", Scenario: "open-by-default", Objective: "list", At: at},
			{ID: "4", Scenario: "retired", Objective: "gone", At: at}},
	}
	var transcripts []competency.Transcript
	for _, tr := range trainees {
		transcripts = append(transcripts, ix.Transcript(tr, solves[tr.ID], at))
	}
	want, _ := json.Marshal(ix.Cohort(transcripts))
	got, _ := json.Marshal(ix.CohortOf(trainees, solves))
	if string(got) != string(want) {
		t.Fatalf("CohortOf:\n%s\nCohort:\n%s", got, want)
	}
	if empty, _ := json.Marshal(ix.CohortOf(nil, nil)); !strings.Contains(string(empty), `"trainees":[]`) {
		t.Errorf("an empty cohort: %s", empty)
	}
}
