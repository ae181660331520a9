package competency

import (
	"sort"
	"time"
)

// Record is one solve of a trainee's, from the append-only scoring
// records: the transcript cites it as evidence.
type Record struct {
	ID        string
	Scenario  string
	Objective string
	Lab       string // the lab instance the work was done in: its recordings are there
	At        time.Time
}

// Trainee is whose transcript it is.
type Trainee struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Evidence is one solved objective that shows a framework item: the record,
// the lab, the objective, how it was verified, and when.
type Evidence struct {
	RecordID       string    `json:"record_id"`
	ScenarioID     string    `json:"scenario_id"`
	ScenarioTitle  string    `json:"scenario_title"`
	ObjectiveID    string    `json:"objective_id"`
	ObjectiveTitle string    `json:"objective_title"`
	Verified       string    `json:"verified"`
	LabID          string    `json:"lab_id"`
	At             time.Time `json:"at"`
}

// Item is one framework element the trainee has evidence for.
type Item struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Kind     string     `json:"kind"` // technique, task, knowledge or skill
	Evidence []Evidence `json:"evidence"`
}

// Attainment is how much of a work role the trainee has shown: the share
// of its task, knowledge and skill statements evidenced.
type Attainment struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Category  string     `json:"category"`
	Evidenced []string   `json:"evidenced"` // the role's statements shown
	Total     int        `json:"total"`
	Share     float64    `json:"share"`    // 0 to 1
	Evidence  []Evidence `json:"evidence"` // solves in scenarios that train the role
}

// Source names a framework and the terms it is used under.
type Source struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Notice  string `json:"notice"`
}

// Transcript is a trainee's evidence-backed competency transcript.
type Transcript struct {
	Trainee    Trainee      `json:"trainee"`
	Issued     time.Time    `json:"issued"`
	Roles      []Attainment `json:"roles"`
	Techniques []Item       `json:"techniques"`
	Statements []Item       `json:"statements"`
	SecBoK     []Item       `json:"secbok,omitempty"` // only while a SecBoK skill map is imported
	Sources    []Source     `json:"sources"`
}

// objectiveKey names one objective of one scenario.
type objectiveKey struct{ scenario, objective string }

type mapped struct {
	scenario   *Scenario
	objective  *Objective
	techniques []string
	statements []string
	secbok     []string
	roles      []WorkRole
}

// Index is the catalogue read once for many transcripts: a cohort's are
// built from one.
type Index struct {
	f          *Frameworks
	objectives map[objectiveKey]mapped
	scenarios  []Scenario
}

// NewIndex maps every objective of the catalogue to the items it
// evidences. Ids the frameworks do not hold are left out (the validator
// refuses them before a scenario is published).
func NewIndex(f *Frameworks, catalogue []Scenario) *Index {
	ix := &Index{f: f, objectives: map[objectiveKey]mapped{}, scenarios: catalogue}
	for si := range catalogue {
		s := &ix.scenarios[si]
		var roles []WorkRole
		for _, name := range s.Roles {
			if r, ok := f.Role(name); ok {
				roles = append(roles, r)
			}
		}
		for oi := range s.Objectives {
			o := &s.Objectives[oi]
			techniques := o.Techniques
			if len(techniques) == 0 {
				techniques = s.Techniques
			}
			m := mapped{scenario: s, objective: o, roles: roles}
			for _, id := range techniques {
				if _, ok := f.Technique(id); ok {
					m.techniques = append(m.techniques, id)
				}
			}
			for _, id := range o.Statements {
				if _, ok := f.Statement(id); ok {
					m.statements = append(m.statements, id)
				}
			}
			for _, id := range o.SecBoK {
				if _, ok := f.secbok.Item(id); ok {
					m.secbok = append(m.secbok, id)
				}
			}
			ix.objectives[objectiveKey{s.ID, o.ID}] = m
		}
	}
	return ix
}

// Frameworks are the catalogues the index reads.
func (ix *Index) Frameworks() *Frameworks { return ix.f }

// Transcript builds a trainee's transcript from their solves. Solves of
// objectives the catalogue no longer holds evidence nothing.
func (ix *Index) Transcript(t Trainee, solves []Record, issued time.Time) Transcript {
	techniques, statements, secbok := map[string]*Item{}, map[string]*Item{}, map[string]*Item{}
	roles := map[string]*Attainment{}
	for _, r := range solves {
		m, ok := ix.objectives[objectiveKey{r.Scenario, r.Objective}]
		if !ok {
			continue
		}
		ev := Evidence{RecordID: r.ID, ScenarioID: r.Scenario, ScenarioTitle: m.scenario.Title,
			ObjectiveID: r.Objective, ObjectiveTitle: m.objective.Title, Verified: m.objective.Verified, LabID: r.Lab, At: r.At}
		for _, id := range m.techniques {
			it := techniques[id]
			if it == nil {
				tech, _ := ix.f.Technique(id)
				it = &Item{ID: id, Name: tech.Name, Kind: "technique"}
				techniques[id] = it
			}
			it.Evidence = append(it.Evidence, ev)
		}
		for _, id := range m.statements {
			it := statements[id]
			if it == nil {
				st, _ := ix.f.Statement(id)
				it = &Item{ID: id, Name: st.Text, Kind: string(st.Kind)}
				statements[id] = it
			}
			it.Evidence = append(it.Evidence, ev)
		}
		for _, id := range m.secbok {
			it := secbok[id]
			if it == nil {
				item, _ := ix.f.secbok.Item(id)
				it = &Item{ID: id, Name: item.Name, Kind: "secbok"}
				secbok[id] = it
			}
			it.Evidence = append(it.Evidence, ev)
		}
		for _, role := range m.roles {
			a := roles[role.ID]
			if a == nil {
				a = &Attainment{ID: role.ID, Name: role.Name, Category: role.Category, Total: len(role.Statements), Evidenced: []string{}}
				roles[role.ID] = a
			}
			a.Evidence = append(a.Evidence, ev)
		}
	}
	// A role is attained through its statements, whichever scenario
	// showed them: a role no scenario names can still be partly shown.
	for _, role := range ix.f.Roles() {
		var shown []string
		for _, id := range role.Statements {
			if statements[id] != nil {
				shown = append(shown, id)
			}
		}
		if len(shown) == 0 {
			continue
		}
		a := roles[role.ID]
		if a == nil {
			a = &Attainment{ID: role.ID, Name: role.Name, Category: role.Category, Total: len(role.Statements), Evidence: []Evidence{}}
			roles[role.ID] = a
		}
		a.Evidenced = shown
	}
	out := Transcript{Trainee: t, Issued: issued, Sources: ix.f.Sources()}
	for _, a := range roles {
		if a.Total > 0 {
			a.Share = float64(len(a.Evidenced)) / float64(a.Total)
		}
		sortEvidence(a.Evidence)
		out.Roles = append(out.Roles, *a)
	}
	sort.Slice(out.Roles, func(i, j int) bool { return out.Roles[i].ID < out.Roles[j].ID })
	out.Techniques, out.Statements = items(techniques), items(statements)
	if ix.f.secbok != nil {
		out.SecBoK = items(secbok)
	}
	if out.Roles == nil {
		out.Roles = []Attainment{}
	}
	return out
}

// Sources are the frameworks' names, versions and notices, which every
// transcript carries.
func (f *Frameworks) Sources() []Source {
	out := []Source{
		{Name: "NICE Workforce Framework for Cybersecurity", Version: f.NICEVersion, Notice: f.NICEAttribution},
		{Name: "MITRE ATT&CK Enterprise", Version: f.AttackVersion, Notice: f.AttackNotice},
	}
	if f.secbok != nil {
		out = append(out, Source{Name: "JNSA SecBoK", Version: f.secbok.Version, Notice: SecBoKNotice})
	}
	return out
}

func items(m map[string]*Item) []Item {
	out := make([]Item, 0, len(m))
	for _, it := range m {
		sortEvidence(it.Evidence)
		out = append(out, *it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sortEvidence(list []Evidence) {
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].At.Equal(list[j].At) {
			return list[i].At.Before(list[j].At)
		}
		return list[i].RecordID < list[j].RecordID
	})
}
