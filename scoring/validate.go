package scoring

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Problem is one thing wrong with a scenario's objectives or hints, at its
// field path in the manifest, such as objectives[2].live_events.truth.
type Problem struct {
	Path    string
	Message string
}

// Setting is what checking objectives needs of the scenario around them.
type Setting struct {
	Hosts         map[string]bool // the scenario's host names
	FlagVariables map[string]bool // its variables of kind flag
	Variables     map[string]bool // all its variables, which detection events may name as ${var.NAME}
}

// objectiveID is the shape of an objective's id: it appears in URLs.
var objectiveID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,40}$`)

// problems collects what is wrong, each at its field path.
type problems []Problem

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// ValidateObjectives checks a scenario's objectives and hints, and returns
// every problem found (none: they are valid), each at its field path.
func ValidateObjectives(objectives []Objective, hints []Hint, in Setting) []Problem {
	var p problems
	ids := map[string]bool{}
	for i, o := range objectives {
		path := fmt.Sprintf("objectives[%d]", i)
		if !objectiveID.MatchString(o.ID) {
			p.add(path+".id", "must be 2–41 characters of a-z, 0-9 and '-'")
		} else if ids[o.ID] {
			p.add(path+".id", "%q is used twice", o.ID)
		}
		ids[o.ID] = true
		validateObjective(path, o, in, &p)
	}
	for i, h := range hints {
		path := fmt.Sprintf("hints[%d]", i)
		if !ids[h.ObjectiveID] {
			p.add(path+".objective", "no objective %q", h.ObjectiveID)
		}
		if strings.TrimSpace(h.Text) == "" {
			p.add(path+".text", "is required")
		}
		if h.Cost < 0 {
			p.add(path+".cost", "cannot be negative")
		}
	}
	return p
}

func validateObjective(path string, o Objective, in Setting, p *problems) {
	if o.Track != TrackAttack && o.Track != TrackDefence {
		p.add(path+".track", "must be attack or defence")
	}
	if !slices.Contains(Kinds, o.Kind) {
		names := make([]string, len(Kinds))
		for i, k := range Kinds {
			names[i] = string(k)
		}
		p.add(path+".kind", "must be one of %s", strings.Join(names, ", "))
	}
	if o.Points < 0 || o.Points > 1000 {
		p.add(path+".points", "must be 0–1000")
	}
	switch o.Kind {
	case KindFlag:
		if o.Variable == "" && len(o.Answers) == 0 {
			p.add(path, "a flag objective names a per-instance variable or lists static answers")
		} else if o.Variable != "" && !in.FlagVariables[o.Variable] {
			p.add(path+".variable", "a flag objective names a variable of kind flag")
		}
	case KindQuestion:
		if len(o.Answers) == 0 {
			p.add(path+".answers", "a question lists its accepted answers")
		}
	case KindCheck:
		if !in.Hosts[o.Host] || len(o.Command) == 0 {
			p.add(path, "a check objective names a host of this scenario and a command")
		}
	case KindDetection:
		validateDetection(path, o, in, p)
	}
	if o.Variable != "" && o.Kind != KindFlag {
		// Only flags are checked against it: elsewhere it would be ignored.
		p.add(path+".variable", "only flag objectives name a per-instance variable")
	}
	validateMatch(path, o, p)
	validateScoring(path, o, p)
	if len(o.Choices) > 0 {
		if o.Kind != KindQuestion {
			p.add(path+".choices", "only questions offer choices")
		}
		for i, a := range o.Answers {
			if !slices.Contains(o.Choices, a) {
				p.add(fmt.Sprintf("%s.answers[%d]", path, i), "%q is not one of the choices", a)
			}
		}
	}
	if o.Live != nil && o.Kind != KindDetection {
		p.add(path+".live_events", "only detection objectives read the lab's log")
	}
}

// validateScoring checks what an objective is worth and how often it may
// be tried.
func validateScoring(path string, o Objective, p *problems) {
	if d := o.Dynamic; d != nil && (d.Minimum < 0 || d.Minimum > o.Points || d.Decay < 1) {
		p.add(path+".dynamic", "minimum must be 0 to the objective's points, and decay at least 1 solve")
	}
	if b := o.TimeBonus; b != nil && (b.Points < 0 || b.Points > 1000 || time.Duration(b.Within) <= 0) {
		p.add(path+".time_bonus", "needs points 0–1000 and a positive within, like 10m")
	}
	if o.FirstSolve < 0 || o.FirstSolve > 1000 {
		p.add(path+".first_solve_bonus", "must be 0–1000")
	}
	if o.MaxAttempts < 0 {
		p.add(path+".max_attempts", "cannot be negative")
	}
}

// validateMatch checks that every answer can be matched the declared way.
func validateMatch(path string, o Objective, p *problems) {
	switch o.Match {
	case "", MatchExact, MatchCaseInsensitive:
	case MatchRegex:
		for i, a := range o.Answers {
			if _, err := wholeMatch(a); err != nil {
				p.add(fmt.Sprintf("%s.answers[%d]", path, i), "not a valid regular expression: %v", err)
			}
		}
	case MatchNumeric:
		for i, a := range o.Answers {
			if _, err := strconv.ParseFloat(strings.TrimSpace(a), 64); err != nil {
				p.add(fmt.Sprintf("%s.answers[%d]", path, i), "%q is not a number", a)
			}
		}
		if o.Tolerance < 0 {
			p.add(path+".tolerance", "cannot be negative")
		}
	default:
		p.add(path+".match", "must be exact, case_insensitive, regex or numeric")
	}
}
