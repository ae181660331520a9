// Package sigma evaluates the subset of Sigma detection rules that
// detection objectives grade: named selections (field maps, lists of maps,
// keyword lists), the field modifiers contains, startswith, endswith, re
// and all, Sigma's wildcards (* and ?), case-insensitive matching, and
// conditions with and, or, not, parentheses, "1 of" and "all of". What it
// does not support (aggregations, other modifiers) is refused with an
// error that says so, never silently ignored.
package sigma

import (
	"bytes"
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"
)

// Rule is a parsed, checked rule ready to match events.
type Rule struct {
	Title      string
	selections map[string]selection
	condition  node
}

// Event is one log record, as decoded from JSON: nested maps, lists,
// strings, numbers, booleans.
type Event = map[string]any

// Error is a rule that cannot be used, with the reason.
type Error struct{ Reason string }

func (e *Error) Error() string { return "sigma: " + e.Reason }

func fail(format string, args ...any) error { return &Error{Reason: fmt.Sprintf(format, args...)} }

type document struct {
	Title     string    `yaml:"title"`
	Detection yaml.Node `yaml:"detection"`
}

// Parse reads a Sigma rule (YAML) and checks it can be evaluated.
func Parse(text string) (*Rule, error) {
	var doc document
	if err := yaml.NewDecoder(bytes.NewReader([]byte(text))).Decode(&doc); err != nil {
		return nil, fail("the rule is not valid YAML: %v", err)
	}
	if doc.Detection.Kind != yaml.MappingNode {
		return nil, fail("the rule needs a detection: section")
	}
	r := &Rule{Title: doc.Title, selections: map[string]selection{}}
	var conditions []string
	for i := 0; i+1 < len(doc.Detection.Content); i += 2 {
		name, value := doc.Detection.Content[i].Value, doc.Detection.Content[i+1]
		switch name {
		case "condition":
			c, err := conditionText(value)
			if err != nil {
				return nil, err
			}
			conditions = c
		case "timeframe":
			return nil, fail("timeframe (correlation over time) is not supported")
		default:
			sel, err := parseSelection(name, value)
			if err != nil {
				return nil, err
			}
			r.selections[name] = sel
		}
	}
	if len(conditions) == 0 {
		return nil, fail("detection has no condition")
	}
	if len(r.selections) == 0 {
		return nil, fail("detection has no selections")
	}
	// Several conditions in a list mean any of them.
	var cond node
	for _, text := range conditions {
		n, err := parseCondition(text, r.names())
		if err != nil {
			return nil, err
		}
		if cond == nil {
			cond = n
		} else {
			cond = or{cond, n}
		}
	}
	r.condition = cond
	return r, nil
}

func conditionText(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fail("condition list items must be text")
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, fail("condition must be text or a list of text")
}

func (r *Rule) names() []string {
	out := make([]string, 0, len(r.selections))
	for n := range r.selections {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Matches reports whether the rule fires on the event.
func (r *Rule) Matches(e Event) bool { return r.condition.eval(r, e) }

// Grade is how a rule did over a scenario's labelled events.
type Grade struct {
	Malicious, MaliciousMatched int
	Benign, BenignMatched       int
	Missed                      []int // indexes of malicious events not matched
	FalsePositives              []int // indexes of benign events matched
}

// Pass is every malicious event matched and no benign one.
func (g Grade) Pass() bool {
	return g.MaliciousMatched == g.Malicious && g.BenignMatched == 0 && g.Malicious > 0
}

// Evaluate grades the rule over malicious and benign events.
func (r *Rule) Evaluate(malicious, benign []Event) Grade {
	g := Grade{Malicious: len(malicious), Benign: len(benign)}
	for i, e := range malicious {
		if r.Matches(e) {
			g.MaliciousMatched++
		} else {
			g.Missed = append(g.Missed, i)
		}
	}
	for i, e := range benign {
		if r.Matches(e) {
			g.BenignMatched++
			g.FalsePositives = append(g.FalsePositives, i)
		}
	}
	return g
}
