package sigma

import (
	"sort"

	"gopkg.in/yaml.v3"
)

// detection is one Sigma detection rule: named selections and the
// condition over them, judged one event at a time.
type detection struct {
	selections map[string]selection
	condition  node
}

func parseDetection(section *yaml.Node) (*detection, error) {
	if section.Kind != yaml.MappingNode {
		return nil, fail("the rule needs a detection: section")
	}
	d := &detection{selections: map[string]selection{}}
	var conditions []string
	for i := 0; i+1 < len(section.Content); i += 2 {
		name, value := section.Content[i].Value, section.Content[i+1]
		switch name {
		case "condition":
			c, err := conditionText(value)
			if err != nil {
				return nil, err
			}
			conditions = c
		case "timeframe":
			return nil, fail("timeframe belongs to Sigma's obsolete aggregations: write a correlation rule with a timespan instead")
		default:
			sel, err := parseSelection(name, value)
			if err != nil {
				return nil, err
			}
			d.selections[name] = sel
		}
	}
	if len(conditions) == 0 {
		return nil, fail("detection has no condition")
	}
	if len(d.selections) == 0 {
		return nil, fail("detection has no selections")
	}
	// Several conditions in a list mean any of them.
	var cond node
	for _, text := range conditions {
		n, err := parseCondition(text, d.names())
		if err != nil {
			return nil, err
		}
		if cond == nil {
			cond = n
		} else {
			cond = or{cond, n}
		}
	}
	d.condition = cond
	return d, nil
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

func (d *detection) names() []string {
	out := make([]string, 0, len(d.selections))
	for n := range d.selections {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (d *detection) matches(e Event) bool { return d.condition.eval(d, e) }

// hits are the events the rule matches, each on its own.
func (d *detection) hits(c *corpus) []*hit {
	var out []*hit
	for i, e := range c.events {
		if d.matches(e) {
			out = append(out, &hit{last: i, event: i})
		}
	}
	return out
}
