// Package sigma grades Sigma rules on events the way the Sigma
// specification (rules v2.0.0, its modifiers appendix and its correlation
// rules) defines them. A detection rule is judged one event at a time:
// named selections (field maps, lists of maps, keyword lists, '|all'
// keywords), the modifiers contains, startswith, endswith, all, cased,
// exists, cidr and re (with its i, m and s sub-modifiers), wildcards
// (* and ?) with their escapes, case-insensitive matching in any script,
// and conditions with and, or, not, parentheses, "1 of" and "all of".
// A correlation rule
// (event_count, value_count, temporal, temporal_ordered) is judged over
// a stream of events in time: see Rule.Flags. What it does not support is
// refused with an error that says so, never silently ignored.
package sigma

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Rule is a parsed, checked rule ready to match events: a detection
// rule, or a correlation rule with the rules it refers to.
type Rule struct {
	Title string
	// TimeFields are the fields an event's time is read from, the first
	// one present winning; correlation rules need them, detection rules
	// do not. Parse sets DefaultTimeFields.
	TimeFields []string
	root       member
}

// member is one rule of a submission: what it matches in a stream.
type member interface {
	hits(c *corpus) []*hit
}

// Event is one log record, as decoded from JSON: nested maps, lists,
// strings, numbers, booleans.
type Event = map[string]any

// Error is a rule that cannot be used, with the reason.
type Error struct{ Reason string }

func (e *Error) Error() string { return "sigma: " + e.Reason }

func fail(format string, args ...any) error { return &Error{Reason: fmt.Sprintf(format, args...)} }

// within says where in the rule a reason applies, keeping it one Error
// so the whole reason reaches the trainee.
func within(where string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Reason: where + ": " + e.Reason}
	}
	return fmt.Errorf("%s: %w", where, err)
}

// document is one YAML document of a submission.
type document struct {
	Title       string    `yaml:"title"`
	ID          string    `yaml:"id"`
	Name        string    `yaml:"name"`
	Detection   yaml.Node `yaml:"detection"`
	Correlation yaml.Node `yaml:"correlation"`
}

// label names a document in errors.
func (d document) label(i int) string {
	for _, s := range []string{d.Name, d.Title, d.ID} {
		if s != "" {
			return fmt.Sprintf("%q", s)
		}
	}
	return fmt.Sprintf("number %d", i+1)
}

// Parse reads a Sigma rule (YAML) and checks it can be evaluated. The
// text is one detection rule, or, as the correlation specification's own
// examples are written, several YAML documents separated by ---: one
// correlation rule and every rule it refers to (by name or id), chained
// correlations included. The rule graded is the one no other refers to.
func Parse(text string) (*Rule, error) {
	docs, err := readDocuments(text)
	if err != nil {
		return nil, err
	}
	members := make([]member, len(docs))
	for i, d := range docs {
		switch {
		case d.Detection.Kind != 0 && d.Correlation.Kind != 0:
			return nil, fail("rule %s has both a detection and a correlation section; a rule is one or the other", d.label(i))
		case d.Correlation.Kind != 0:
			c, err := parseCorrelation(&d.Correlation)
			if err != nil {
				return nil, within("correlation "+d.label(i), err)
			}
			members[i] = c
		case d.Detection.Kind != 0 || len(docs) == 1:
			det, err := parseDetection(&d.Detection)
			if err != nil {
				if len(docs) == 1 {
					return nil, err
				}
				return nil, within("rule "+d.label(i), err)
			}
			members[i] = det
		default:
			return nil, fail("rule %s has neither a detection nor a correlation section", d.label(i))
		}
	}
	root, err := link(docs, members)
	if err != nil {
		return nil, err
	}
	return &Rule{Title: docs[root].Title, TimeFields: slices.Clone(DefaultTimeFields), root: members[root]}, nil
}

func readDocuments(text string) ([]document, error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var docs []document
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fail("the rule is not valid YAML: %v", err)
		}
		if len(n.Content) == 0 || (n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null") {
			continue // an empty document, as a trailing --- leaves
		}
		var d document
		if err := n.Decode(&d); err != nil {
			return nil, fail("the rule is not a Sigma rule: %v", err)
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, fail("the rule needs a detection: section")
	}
	return docs, nil
}

// link resolves each correlation's references by name or id, refuses
// cycles, and returns the one rule nothing refers to.
func link(docs []document, members []member) (int, error) {
	byRef := map[string]int{}
	for i, d := range docs {
		for _, key := range []string{d.Name, d.ID} {
			if key == "" {
				continue
			}
			if j, dup := byRef[key]; dup && j != i {
				return 0, fail("two rules are called %q; names and ids must be unique", key)
			}
			byRef[key] = i
		}
	}
	referred := make([]bool, len(docs))
	for i, m := range members {
		c, ok := m.(*correlation)
		if !ok {
			continue
		}
		for k, ref := range c.refs {
			j, found := byRef[ref]
			if !found {
				return 0, fail("correlation %s refers to rule %q, which is not in the submission: put the rules it refers to in the same text, each after a --- line, with that name or id", docs[i].label(i), ref)
			}
			if j == i {
				return 0, fail("correlation %s refers to itself", docs[i].label(i))
			}
			c.members[k] = members[j]
			c.names[k] = docs[j].Name
			referred[j] = true
		}
		if err := c.resolveAliases(); err != nil {
			return 0, within("correlation "+docs[i].label(i), err)
		}
	}
	if err := acyclic(members); err != nil {
		return 0, err
	}
	var roots []int
	for i := range docs {
		if !referred[i] {
			roots = append(roots, i)
		}
	}
	if len(roots) != 1 {
		var names []string
		for _, i := range roots {
			names = append(names, docs[i].label(i))
		}
		return 0, fail("a submission is one rule, or one correlation with the rules it refers to; rules %s are not referred to by any correlation", strings.Join(names, ", "))
	}
	return roots[0], nil
}

func acyclic(members []member) error {
	state := map[member]int{} // 1: being visited, 2: done
	var visit func(m member) error
	visit = func(m member) error {
		switch state[m] {
		case 1:
			return fail("correlations refer to each other in a cycle")
		case 2:
			return nil
		}
		state[m] = 1
		if c, ok := m.(*correlation); ok {
			for _, sub := range c.members {
				if err := visit(sub); err != nil {
					return err
				}
			}
		}
		state[m] = 2
		return nil
	}
	for _, m := range members {
		if err := visit(m); err != nil {
			return err
		}
	}
	return nil
}

// Matches reports whether the rule fires on the event. A correlation rule
// sees the event as a stream of one.
func (r *Rule) Matches(e Event) bool {
	if d, ok := r.root.(*detection); ok {
		return d.matches(e)
	}
	return r.Flags([]Event{e})[0]
}

// Flags says, for each event of a stream, whether the rule flags it. A
// detection rule flags the events it matches. A correlation rule flags
// every event of each group that meets its condition within its
// timespan: the events an analyst would be shown for its alert (see
// window.go for how groups and windows are formed). Events are read in
// the order given; their times come from r.TimeFields.
func (r *Rule) Flags(events []Event) []bool {
	return newCorpus(events, r.TimeFields).flag(r.root)
}

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

// Plus is both grades together, as over one list of malicious events
// and one of benign events, g's first.
func (g Grade) Plus(o Grade) Grade {
	sum := Grade{
		Malicious: g.Malicious + o.Malicious, MaliciousMatched: g.MaliciousMatched + o.MaliciousMatched,
		Benign: g.Benign + o.Benign, BenignMatched: g.BenignMatched + o.BenignMatched,
		Missed:         slices.Clone(g.Missed),
		FalsePositives: slices.Clone(g.FalsePositives),
	}
	for _, i := range o.Missed {
		sum.Missed = append(sum.Missed, g.Malicious+i)
	}
	for _, i := range o.FalsePositives {
		sum.FalsePositives = append(sum.FalsePositives, g.Benign+i)
	}
	return sum
}

// Evaluate grades the rule over malicious and benign events, which are
// one stream: the malicious events, then the benign ones, ordered in
// time by their time fields.
func (r *Rule) Evaluate(malicious, benign []Event) Grade {
	g := Grade{Malicious: len(malicious), Benign: len(benign)}
	flags := r.Flags(append(append(make([]Event, 0, len(malicious)+len(benign)), malicious...), benign...))
	for i := range malicious {
		if flags[i] {
			g.MaliciousMatched++
		} else {
			g.Missed = append(g.Missed, i)
		}
	}
	for i := range benign {
		if flags[len(malicious)+i] {
			g.BenignMatched++
			g.FalsePositives = append(g.FalsePositives, i)
		}
	}
	return g
}
