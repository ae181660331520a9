package competency

import (
	"errors"
	"fmt"
)

// Scenario is what the transcript needs of a scenario: the framework items
// its manifest maps it and each of its objectives to.
type Scenario struct {
	ID         string
	Title      string
	Techniques []string // ATT&CK ids the scenario as a whole trains
	Roles      []string // NICE work roles, by id or name
	Objectives []Objective
}

// Objective is one objective and the items it evidences. An objective
// without techniques of its own evidences its scenario's; NICE statements
// are evidenced only by the objectives that name them.
type Objective struct {
	ID         string
	Title      string
	Verified   string   // how it is met: flag, question, check or detection
	Techniques []string // ATT&CK ids
	Statements []string // NICE task, knowledge and skill ids
}

// ErrUnknownItem is wrapped by every error about an id that no loaded
// framework holds.
var ErrUnknownItem = errors.New("not in the loaded competency frameworks")

// Problem is one unknown id, at its place in the manifest.
type Problem struct {
	Path    string
	Message string
}

// Check names every technique, work role and statement of the scenario
// that the frameworks do not hold.
func (f *Frameworks) Check(s Scenario) []Problem {
	var out []Problem
	unknown := func(path, what, id string) {
		out = append(out, Problem{Path: path, Message: fmt.Sprintf("%s %q is %v", what, id, ErrUnknownItem)})
	}
	for i, id := range s.Techniques {
		if _, ok := f.Technique(id); !ok {
			unknown(fmt.Sprintf("attack[%d]", i), "ATT&CK technique", id)
		}
	}
	for i, id := range s.Roles {
		if _, ok := f.Role(id); !ok {
			unknown(fmt.Sprintf("nice_roles[%d]", i), "NICE work role", id)
		}
	}
	for i, o := range s.Objectives {
		for j, id := range o.Techniques {
			if _, ok := f.Technique(id); !ok {
				unknown(fmt.Sprintf("objectives[%d].attack[%d]", i, j), "ATT&CK technique", id)
			}
		}
		for j, id := range o.Statements {
			if _, ok := f.Statement(id); !ok {
				unknown(fmt.Sprintf("objectives[%d].nice[%d]", i, j), "NICE statement", id)
			}
		}
	}
	return out
}
