package competency

import "sort"

// CohortView is a cohort's transcripts read together: how far each
// trainee is in each work role, how many trainees have shown each
// technique, and what the cohort's scenarios train that nobody has shown.
type CohortView struct {
	Trainees   []Trainee  `json:"trainees"`
	Roles      []RoleRow  `json:"roles"`
	Techniques []HeatCell `json:"techniques"`
	Gaps       []Gap      `json:"gaps"`
}

// RoleRow is one work role's attainment, a share per trainee in the order
// of CohortView.Trainees.
type RoleRow struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Shares []float64 `json:"shares"`
}

// HeatCell is one technique and the trainees with evidence for it.
type HeatCell struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Trainees int    `json:"trainees"`
}

// Gap is a framework item the catalogue trains that no trainee of the
// cohort has shown.
type Gap struct {
	Framework string `json:"framework"` // attack or nice
	ID        string `json:"id"`
	Name      string `json:"name"`
}

// reach is what one trainee has shown: the techniques and statements
// with evidence, and each work role's share.
type reach struct {
	techniques []string
	statements []string
	shares     map[string]float64 // by role id, for roles trained or partly shown
}

// Cohort reads a cohort's transcripts together.
func (ix *Index) Cohort(transcripts []Transcript) CohortView {
	trainees := make([]Trainee, len(transcripts))
	reached := make([]reach, len(transcripts))
	for i, t := range transcripts {
		trainees[i] = t.Trainee
		r := reach{shares: map[string]float64{}}
		for _, it := range t.Techniques {
			r.techniques = append(r.techniques, it.ID)
		}
		for _, it := range t.Statements {
			r.statements = append(r.statements, it.ID)
		}
		for _, a := range t.Roles {
			r.shares[a.ID] = a.Share
		}
		reached[i] = r
	}
	return ix.cohort(trainees, reached)
}

// CohortOf is Cohort from the trainees' solves, without building anyone's
// evidence lines: what a cohort's matrix needs and no more. solves holds
// each trainee's, by id.
func (ix *Index) CohortOf(trainees []Trainee, solves map[string][]Record) CohortView {
	reached := make([]reach, len(trainees))
	for i, t := range trainees {
		techniques, statements := map[string]bool{}, map[string]bool{}
		r := reach{shares: map[string]float64{}}
		for _, s := range solves[t.ID] {
			m, ok := ix.objectives[objectiveKey{s.Scenario, s.Objective}]
			if !ok {
				continue
			}
			for _, id := range m.techniques {
				techniques[id] = true
			}
			for _, id := range m.statements {
				statements[id] = true
			}
			for _, role := range m.roles {
				if _, ok := r.shares[role.ID]; !ok {
					r.shares[role.ID] = 0 // trained, though nothing of it shown yet
				}
			}
		}
		for _, role := range ix.f.roles {
			shown := 0
			for _, id := range role.Statements {
				if statements[id] {
					shown++
				}
			}
			if shown > 0 {
				r.shares[role.ID] = float64(shown) / float64(len(role.Statements))
			}
		}
		r.techniques, r.statements = keys(techniques), keys(statements)
		reached[i] = r
	}
	return ix.cohort(trainees, reached)
}

func (ix *Index) cohort(trainees []Trainee, reached []reach) CohortView {
	v := CohortView{Trainees: trainees, Roles: []RoleRow{}, Techniques: []HeatCell{}, Gaps: []Gap{}}
	if v.Trainees == nil {
		v.Trainees = []Trainee{}
	}
	heat := map[string]int{}
	shown := map[string]bool{}
	for _, r := range reached {
		for _, id := range r.techniques {
			heat[id]++
			shown[id] = true
		}
		for _, id := range r.statements {
			shown[id] = true
		}
	}
	for _, role := range ix.f.Roles() {
		row := RoleRow{ID: role.ID, Name: role.Name, Shares: make([]float64, len(reached))}
		any := false
		for i, r := range reached {
			if share, ok := r.shares[role.ID]; ok {
				row.Shares[i], any = share, true
			}
		}
		if any || ix.trains(role) {
			v.Roles = append(v.Roles, row)
		}
	}
	for id, n := range heat {
		tech, _ := ix.f.Technique(id)
		v.Techniques = append(v.Techniques, HeatCell{ID: id, Name: tech.Name, Trainees: n})
	}
	sort.Slice(v.Techniques, func(i, j int) bool { return v.Techniques[i].ID < v.Techniques[j].ID })
	techniques, statements := ix.trained()
	for _, id := range techniques {
		if !shown[id] {
			tech, _ := ix.f.Technique(id)
			v.Gaps = append(v.Gaps, Gap{Framework: "attack", ID: id, Name: tech.Name})
		}
	}
	for _, id := range statements {
		if !shown[id] {
			st, _ := ix.f.Statement(id)
			v.Gaps = append(v.Gaps, Gap{Framework: "nice", ID: id, Name: st.Text})
		}
	}
	return v
}

// trains says whether a scenario of the catalogue names the role.
func (ix *Index) trains(role WorkRole) bool {
	for _, m := range ix.objectives {
		for _, r := range m.roles {
			if r.ID == role.ID {
				return true
			}
		}
	}
	return false
}

// trained lists the techniques and statements some objective of the
// catalogue evidences, each once, sorted.
func (ix *Index) trained() (techniques, statements []string) {
	t, s := map[string]bool{}, map[string]bool{}
	for _, m := range ix.objectives {
		for _, id := range m.techniques {
			t[id] = true
		}
		for _, id := range m.statements {
			s[id] = true
		}
	}
	return keys(t), keys(s)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
