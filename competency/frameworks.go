// Package competency holds the competency frameworks a trainee's work is
// read against — the NICE Framework's work roles and their task, knowledge
// and skill statements, and MITRE ATT&CK techniques — and builds the
// evidence-backed transcript: which framework items a trainee has shown,
// each line citing the records that show it. The catalogues are data files
// embedded in the binary; nothing here stores anything of its own.
package competency

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

//go:embed data/*.json
var bundled embed.FS

// StatementKind says what a NICE statement describes.
type StatementKind string

const (
	Task      StatementKind = "task"
	Knowledge StatementKind = "knowledge"
	Skill     StatementKind = "skill"
)

// Statement is one NICE task, knowledge or skill statement.
type Statement struct {
	ID   string        `json:"id"`
	Kind StatementKind `json:"kind"`
	Text string        `json:"text"`
}

// WorkRole is a NICE work role and the statements that make it up.
type WorkRole struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Statements  []string `json:"statements"`
}

// Technique is an ATT&CK technique or sub-technique.
type Technique struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Tactics   []string `json:"tactics"`
	Platforms []string `json:"platforms,omitempty"`
}

// Frameworks are the loaded catalogues, read-only once made: safe for any
// number of goroutines.
type Frameworks struct {
	NICEVersion     string
	NICEAttribution string
	AttackVersion   string
	AttackNotice    string

	roles      map[string]WorkRole
	roleNames  map[string]string // name → id: manifests may name a role
	statements map[string]Statement
	techniques map[string]Technique
	secbok     *SecBoK // nil until an admin imports one
}

type niceFile struct {
	Version     string      `json:"version"`
	Attribution string      `json:"attribution"`
	WorkRoles   []WorkRole  `json:"work_roles"`
	Statements  []Statement `json:"statements"`
}

type attackFile struct {
	Version    string      `json:"version"`
	Notice     string      `json:"notice"`
	Techniques []Technique `json:"techniques"`
}

var (
	loadOnce sync.Once
	loaded   *Frameworks
	loadErr  error
)

// Bundled is the catalogues embedded in the binary. A broken bundle is a
// build fault, caught by this package's tests, so it panics.
func Bundled() *Frameworks {
	loadOnce.Do(func() {
		nice, err := bundled.ReadFile("data/nice.json")
		if err != nil {
			loadErr = err
			return
		}
		attack, err := bundled.ReadFile("data/attack.json")
		if err != nil {
			loadErr = err
			return
		}
		loaded, loadErr = Load(nice, attack)
	})
	if loadErr != nil {
		panic("competency: the bundled frameworks do not load: " + loadErr.Error())
	}
	return loaded
}

// Load reads catalogues in the bundle's format, refusing duplicates and a
// role that names a statement the catalogue does not hold.
func Load(nice, attack []byte) (*Frameworks, error) {
	var n niceFile
	if err := json.Unmarshal(nice, &n); err != nil {
		return nil, fmt.Errorf("NICE catalogue: %w", err)
	}
	var a attackFile
	if err := json.Unmarshal(attack, &a); err != nil {
		return nil, fmt.Errorf("ATT&CK catalogue: %w", err)
	}
	f := &Frameworks{
		NICEVersion: n.Version, NICEAttribution: n.Attribution,
		AttackVersion: a.Version, AttackNotice: a.Notice,
		roles: map[string]WorkRole{}, roleNames: map[string]string{},
		statements: map[string]Statement{}, techniques: map[string]Technique{},
	}
	for _, s := range n.Statements {
		if _, dup := f.statements[s.ID]; dup || s.ID == "" {
			return nil, fmt.Errorf("NICE catalogue: statement %q is empty or given twice", s.ID)
		}
		if s.Kind != Task && s.Kind != Knowledge && s.Kind != Skill {
			return nil, fmt.Errorf("NICE catalogue: statement %s has kind %q", s.ID, s.Kind)
		}
		f.statements[s.ID] = s
	}
	for _, r := range n.WorkRoles {
		if _, dup := f.roles[r.ID]; dup || r.ID == "" || r.Name == "" {
			return nil, fmt.Errorf("NICE catalogue: work role %q is unnamed or given twice", r.ID)
		}
		for _, id := range r.Statements {
			if _, ok := f.statements[id]; !ok {
				return nil, fmt.Errorf("NICE catalogue: work role %s names statement %s, which is not in the catalogue", r.ID, id)
			}
		}
		f.roles[r.ID] = r
		f.roleNames[r.Name] = r.ID
	}
	for _, t := range a.Techniques {
		if _, dup := f.techniques[t.ID]; dup || t.ID == "" {
			return nil, fmt.Errorf("ATT&CK catalogue: technique %q is empty or given twice", t.ID)
		}
		f.techniques[t.ID] = t
	}
	return f, nil
}

// Role finds a work role by its id (PD-WRL-003) or its name (Incident
// Response), as scenario manifests may write either.
func (f *Frameworks) Role(idOrName string) (WorkRole, bool) {
	if r, ok := f.roles[idOrName]; ok {
		return r, true
	}
	r, ok := f.roles[f.roleNames[idOrName]]
	return r, ok
}

// Statement finds a NICE task, knowledge or skill statement.
func (f *Frameworks) Statement(id string) (Statement, bool) {
	s, ok := f.statements[id]
	return s, ok
}

// Technique finds an ATT&CK technique.
func (f *Frameworks) Technique(id string) (Technique, bool) {
	t, ok := f.techniques[id]
	return t, ok
}

// Roles lists every work role, by id.
func (f *Frameworks) Roles() []WorkRole {
	out := make([]WorkRole, 0, len(f.roles))
	for _, r := range f.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Techniques lists every technique, by id.
func (f *Frameworks) Techniques() []Technique {
	out := make([]Technique, 0, len(f.techniques))
	for _, t := range f.techniques {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
