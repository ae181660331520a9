package progress

import (
	"testing"
	"time"
)

func TestSummarise(t *testing.T) {
	catalogue := []Scenario{
		{ID: "heist", Title: "Metadata Heist", Techniques: []string{"T1190", "T1530"}, Roles: []string{"Incident Response"},
			Objectives: []Objective{{"a1", "attack"}, {"d1", "defence"}}},
		{ID: "keys", Title: "Keys", Techniques: []string{"T1530"}, Roles: []string{"Incident Response", "Secure Software Assessment"},
			Objectives: []Objective{{"a1", "attack"}, {"d1", "defence"}, {"d2", "defence"}}},
		{ID: "untouched", Title: "Untouched", Techniques: []string{"T1110"}, Objectives: []Objective{{"a1", "attack"}}},
	}
	t0 := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	records := []Record{
		{Scenario: "heist", Objective: "a1", Solved: true, Points: 100, At: t0},
		{Scenario: "heist", Objective: "d1", Solved: true, Points: 50, At: t0.Add(time.Hour)},
		{Scenario: "keys", Objective: "a1", Points: -10, At: t0}, // a hint
		{Scenario: "keys", Objective: "a1", Solved: true, Points: 200, At: t0.Add(2 * time.Hour)},
		{Scenario: "gone", Objective: "x", Solved: true, Points: 5, At: t0}, // no longer in the catalogue
	}
	s := Summarise(catalogue, records)
	if s.Points != 345 || s.Solved != 4 || s.Completed != 1 || len(s.Scenarios) != 3 {
		t.Fatalf("summary: %+v", s)
	}
	heist := s.Scenarios[1]
	if heist.ID != "heist" || !heist.Complete || heist.AttackSolved != 1 || heist.DefendTotal != 1 || !heist.LastActivity.Equal(t0.Add(time.Hour)) {
		t.Fatalf("heist: %+v", heist)
	}
	keys := s.Scenarios[2]
	if keys.Complete || keys.Solved != 1 || keys.Total != 3 || keys.Points != 190 {
		t.Fatalf("keys: %+v", keys)
	}
	if s.Scenarios[0].Title != "gone" || s.Scenarios[0].Complete {
		t.Fatalf("a retired scenario: %+v", s.Scenarios[0])
	}
	// T1530 is in both scenarios: 2 + 1 objectives; T1110 untouched.
	if len(s.Techniques) != 2 || s.Techniques[0].ID != "T1530" || s.Techniques[0].Solved != 3 || len(s.Techniques[0].Scenarios) != 2 {
		t.Fatalf("techniques: %+v", s.Techniques)
	}
	if s.Roles[0].ID != "Incident Response" || s.Roles[0].Solved != 3 {
		t.Fatalf("roles: %+v", s.Roles)
	}
	if empty := Summarise(catalogue, nil); empty.Points != 0 || len(empty.Scenarios) != 0 || empty.Techniques == nil {
		t.Fatalf("no records: %+v", empty)
	}
}
