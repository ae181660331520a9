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

// Cohort reads a cohort's transcripts together.
func (ix *Index) Cohort(transcripts []Transcript) CohortView {
	v := CohortView{Trainees: make([]Trainee, len(transcripts)), Roles: []RoleRow{}, Techniques: []HeatCell{}, Gaps: []Gap{}}
	heat := map[string]int{}
	shown := map[string]bool{}
	for i, t := range transcripts {
		v.Trainees[i] = t.Trainee
		for _, it := range t.Techniques {
			heat[it.ID]++
			shown[it.ID] = true
		}
		for _, it := range t.Statements {
			shown[it.ID] = true
		}
	}
	for _, role := range ix.f.Roles() {
		row := RoleRow{ID: role.ID, Name: role.Name, Shares: make([]float64, len(transcripts))}
		any := false
		for i, t := range transcripts {
			for _, a := range t.Roles {
				if a.ID == role.ID {
					row.Shares[i], any = a.Share, true
				}
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
