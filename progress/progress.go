// Package progress is a trainee's record as a learner sees it: which labs
// they finished, the points they hold, and the competencies their solved
// objectives touched (MITRE ATT&CK techniques and NICE Framework work
// roles, from the scenarios' manifests). It is computed from the scoring
// records and the catalogue; it stores nothing of its own.
package progress

import (
	"sort"
	"time"
)

// Scenario is what progress needs of a scenario.
type Scenario struct {
	ID         string
	Title      string
	Techniques []string // ATT&CK
	Roles      []string // NICE
	Objectives []Objective
}

// Objective is one objective's id and track.
type Objective struct {
	ID    string
	Track string
}

// Record is one scored event of the trainee's.
type Record struct {
	Scenario  string
	Objective string
	Solved    bool // a correct submission
	Points    int  // gained, or spent on hints (negative)
	At        time.Time
}

// Summary is a trainee's progress.
type Summary struct {
	Points     int                `json:"points"`
	Solved     int                `json:"solved"`
	Completed  int                `json:"completed"` // scenarios with every objective solved
	Scenarios  []ScenarioProgress `json:"scenarios"`
	Techniques []Competency       `json:"techniques"`
	Roles      []Competency       `json:"roles"`
}

// ScenarioProgress is one scenario the trainee has worked on.
type ScenarioProgress struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Points       int        `json:"points"`
	Solved       int        `json:"solved"`
	Total        int        `json:"total"`
	AttackSolved int        `json:"attack_solved"`
	AttackTotal  int        `json:"attack_total"`
	DefendSolved int        `json:"defence_solved"`
	DefendTotal  int        `json:"defence_total"`
	Complete     bool       `json:"complete"`
	LastActivity *time.Time `json:"last_activity,omitempty"`
}

// Competency is a technique or role, with the objectives solved in
// scenarios that exercise it.
type Competency struct {
	ID        string   `json:"id"`
	Solved    int      `json:"solved"`
	Scenarios []string `json:"scenarios"`
}

// Summarise computes a trainee's progress. Records of scenarios no longer
// in the catalogue still count their points, but not their competencies.
func Summarise(catalogue []Scenario, records []Record) Summary {
	byID := map[string]Scenario{}
	for _, s := range catalogue {
		byID[s.ID] = s
	}
	type work struct {
		points int
		solved map[string]bool
		last   time.Time
	}
	touched := map[string]*work{}
	var sum Summary
	for _, r := range records {
		w := touched[r.Scenario]
		if w == nil {
			w = &work{solved: map[string]bool{}}
			touched[r.Scenario] = w
		}
		w.points += r.Points
		sum.Points += r.Points
		if r.Solved {
			w.solved[r.Objective] = true
		}
		if r.At.After(w.last) {
			w.last = r.At
		}
	}
	techniques, roles := map[string]*Competency{}, map[string]*Competency{}
	for id, w := range touched {
		s, known := byID[id]
		p := ScenarioProgress{ID: id, Title: s.Title, Points: w.points, Solved: len(w.solved)}
		if !w.last.IsZero() {
			last := w.last
			p.LastActivity = &last
		}
		if !known {
			p.Title = id
		}
		for _, o := range s.Objectives {
			done := w.solved[o.ID]
			p.Total++
			if o.Track == "attack" {
				p.AttackTotal++
				if done {
					p.AttackSolved++
				}
			} else {
				p.DefendTotal++
				if done {
					p.DefendSolved++
				}
			}
		}
		p.Complete = known && p.Total > 0 && p.Solved == p.Total
		if p.Complete {
			sum.Completed++
		}
		sum.Solved += p.Solved
		sum.Scenarios = append(sum.Scenarios, p)
		if p.Solved > 0 {
			credit(techniques, s.Techniques, id, p.Solved)
			credit(roles, s.Roles, id, p.Solved)
		}
	}
	sort.Slice(sum.Scenarios, func(i, j int) bool { return sum.Scenarios[i].ID < sum.Scenarios[j].ID })
	sum.Techniques, sum.Roles = sorted(techniques), sorted(roles)
	if sum.Scenarios == nil {
		sum.Scenarios = []ScenarioProgress{}
	}
	return sum
}

func credit(into map[string]*Competency, ids []string, scenario string, solved int) {
	for _, id := range ids {
		c := into[id]
		if c == nil {
			c = &Competency{ID: id}
			into[id] = c
		}
		c.Solved += solved
		c.Scenarios = append(c.Scenarios, scenario)
	}
}

func sorted(m map[string]*Competency) []Competency {
	out := make([]Competency, 0, len(m))
	for _, c := range m {
		sort.Strings(c.Scenarios)
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Solved != out[j].Solved {
			return out[i].Solved > out[j].Solved
		}
		return out[i].ID < out[j].ID
	})
	return out
}
