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
	SecBoK     []string // SecBoK item ids
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

// NoSecBoKWarning is what a check says of SecBoK ids while no skill map is
// imported: the ids cannot be checked yet, which is a warning, not a fault,
// since built-in scenarios may map SecBoK before a range imports it.
const NoSecBoKWarning = "SecBoK item ids are given but no SecBoK skill map is imported, so they are not checked"

// CheckSecBoK names every SecBoK id of the scenario that the skill map does
// not hold. With no skill map, it gives one warning instead when the
// scenario names any SecBoK id.
func CheckSecBoK(s Scenario, sb *SecBoK) (problems []Problem, warning string) {
	for i, o := range s.Objectives {
		for j, id := range o.SecBoK {
			if sb == nil {
				return nil, NoSecBoKWarning
			}
			if _, ok := sb.Item(id); !ok {
				problems = append(problems, Problem{Path: fmt.Sprintf("objectives[%d].secbok[%d]", i, j),
					Message: fmt.Sprintf("SecBoK item %q is %v", id, ErrUnknownItem)})
			}
		}
	}
	return problems, ""
}
