package sigma

import (
	"regexp"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// correlation is a Sigma correlation rule: the rules it refers to, judged
// together over time, per group.
type correlation struct {
	kind     string
	refs     []string // the rules, as written
	members  []member // the rules, resolved by link
	names    []string // each rule's name, for aliases
	groupBy  []string
	aliases  map[string]map[string]string // alias → rule name → field
	fields   [][]string                   // per group-by entry, the field for each rule
	span     time.Duration
	criteria []criterion
	valueOf  [][]string // value_count: the fields whose distinct values count
}

// criterion is one comparison of a condition; all of them must hold.
type criterion struct {
	op    string
	limit int64
}

func (c criterion) holds(n int64) bool {
	switch c.op {
	case "gt":
		return n > c.limit
	case "gte":
		return n >= c.limit
	case "lt":
		return n < c.limit
	case "lte":
		return n <= c.limit
	case "eq":
		return n == c.limit
	}
	return n != c.limit // neq
}

var timespanForm = regexp.MustCompile(`^([1-9][0-9]*)([smhd])$`)

func parseCorrelation(n *yaml.Node) (*correlation, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fail("the correlation section must be a map")
	}
	c := &correlation{}
	var haveGroupBy, haveSpan bool
	var cond *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i].Value, n.Content[i+1]
		var err error
		switch key {
		case "type":
			c.kind = value.Value
		case "rules":
			c.refs, err = textList("rules", value)
		case "group-by":
			haveGroupBy = true
			c.groupBy, err = textList("group-by", value)
		case "timespan":
			haveSpan = true
			c.span, err = readTimespan(value.Value)
		case "condition":
			cond = value
		case "aliases":
			err = value.Decode(&c.aliases)
			if err != nil {
				err = fail("aliases must map each alias to rule names and their fields")
			}
		case "generate":
			// Whether the referred rules are also converted on their own:
			// nothing to grade.
		default:
			err = fail("%q is not a key of a correlation section (type, rules, group-by, timespan, condition, aliases, generate)", key)
		}
		if err != nil {
			return nil, err
		}
	}
	switch c.kind {
	case "event_count", "value_count", "temporal", "temporal_ordered":
	case "value_sum", "value_avg", "value_percentile":
		return nil, fail("the %s correlation is not graded here (graded: event_count, value_count, temporal, temporal_ordered)", c.kind)
	case "":
		return nil, fail("type is mandatory: event_count, value_count, temporal or temporal_ordered")
	default:
		return nil, fail("%q is not a correlation type (event_count, value_count, temporal, temporal_ordered)", c.kind)
	}
	if len(c.refs) == 0 {
		return nil, fail("rules is mandatory: the rules this correlation refers to, by name or id")
	}
	seen := map[string]bool{}
	for _, r := range c.refs {
		if seen[r] {
			return nil, fail("rule %q is listed twice in rules", r)
		}
		seen[r] = true
	}
	if !haveGroupBy {
		return nil, fail("group-by is mandatory for a %s correlation (an empty list makes one group of all events)", c.kind)
	}
	if !haveSpan {
		return nil, fail("timespan is mandatory, e.g. 5m")
	}
	if err := c.readCondition(cond); err != nil {
		return nil, err
	}
	c.members = make([]member, len(c.refs))
	c.names = make([]string, len(c.refs))
	return c, nil
}

func textList(key string, n *yaml.Node) ([]string, error) {
	var out []string
	switch n.Kind {
	case yaml.ScalarNode:
		out = []string{n.Value}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, fail("%s must be a list of text", key)
			}
			out = append(out, item.Value)
		}
	default:
		return nil, fail("%s must be a list of text", key)
	}
	return out, nil
}

// readTimespan reads the specification's form: a number and one of s, m,
// h or d, in lowercase.
func readTimespan(s string) (time.Duration, error) {
	m := timespanForm.FindStringSubmatch(s)
	if m == nil {
		return 0, fail("timespan %q is not a number followed by s, m, h or d (e.g. 90m)", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 32)
	if err != nil {
		return 0, fail("timespan %q is too long", s)
	}
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}

func (c *correlation) readCondition(n *yaml.Node) error {
	if n == nil {
		switch c.kind {
		case "event_count", "value_count":
			return fail("condition is mandatory for a %s correlation, e.g. gte: 10", c.kind)
		}
		return nil // temporal: every rule must be seen
	}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		return fail("condition must be a map such as gte: 10")
	}
	if c.kind == "temporal_ordered" {
		return fail("a temporal_ordered correlation matches when its rules are seen in order; a condition on it is not graded here")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i].Value, n.Content[i+1]
		switch key {
		case "gt", "gte", "lt", "lte", "eq", "neq":
			limit, err := strconv.ParseInt(value.Value, 10, 64)
			if value.Kind != yaml.ScalarNode || err != nil {
				return fail("condition %s must be a whole number, not %q", key, value.Value)
			}
			c.criteria = append(c.criteria, criterion{op: key, limit: limit})
		case "field":
			if c.kind != "value_count" {
				return fail("condition field is for value_count, not %s", c.kind)
			}
			fields, err := textList("condition field", value)
			if err != nil {
				return err
			}
			for _, f := range fields {
				c.valueOf = append(c.valueOf, splitPath(f))
			}
		default:
			return fail("%q is not a condition of a correlation (gt, gte, lt, lte, eq, neq, and field for value_count)", key)
		}
	}
	if len(c.criteria) == 0 {
		return fail("condition needs a comparison: gt, gte, lt, lte, eq or neq")
	}
	if c.kind == "value_count" && len(c.valueOf) == 0 {
		return fail("a value_count condition needs field: the field whose distinct values are counted")
	}
	return nil
}

// resolveAliases works out, for each group-by entry and each rule, the
// field to read: the alias's field for that rule, or the entry itself.
func (c *correlation) resolveAliases() error {
	for alias, byRule := range c.aliases {
		for name := range byRule {
			if !slices.Contains(c.names, name) {
				return fail("alias %s names rule %q, which this correlation does not refer to by that name", alias, name)
			}
		}
	}
	c.fields = make([][]string, len(c.groupBy))
	for g, entry := range c.groupBy {
		byRule, isAlias := c.aliases[entry]
		for k, name := range c.names {
			field := entry
			if isAlias {
				f, ok := byRule[name]
				if !ok {
					return fail("alias %s names no field for rule %q", entry, c.refs[k])
				}
				field = f
			}
			c.fields[g] = append(c.fields[g], field)
		}
	}
	return nil
}
