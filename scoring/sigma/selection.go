package sigma

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// selection is one named part of a detection: any of its alternatives.
type selection struct {
	alternatives []fieldSet // a list of maps: any may match
}

// fieldSet is one map of a selection: every field must match.
type fieldSet []fieldMatch

// fieldMatch is one field with its modifiers and values. A nil path is a
// keyword search: the values are looked for anywhere in the event.
type fieldMatch struct {
	path   []string
	all    bool  // the all modifier: every value must match, not any
	null   bool  // value null: the field must be absent or null
	exists *bool // the exists modifier: whether the field must be there
	values []valueTest
}

// valueTest is one value of a rule, as a test of one text of an event.
type valueTest func(text string) bool

func parseSelection(name string, n *yaml.Node) (selection, error) {
	switch n.Kind {
	case yaml.MappingNode:
		fs, err := parseFieldSet(name, n)
		return selection{alternatives: []fieldSet{fs}}, err
	case yaml.SequenceNode:
		var sel selection
		var keywords []*yaml.Node
		for _, item := range n.Content {
			switch item.Kind {
			case yaml.MappingNode:
				fs, err := parseFieldSet(name, item)
				if err != nil {
					return selection{}, err
				}
				sel.alternatives = append(sel.alternatives, fs)
			case yaml.ScalarNode: // keywords: matched anywhere in the event
				keywords = append(keywords, item)
			default:
				return selection{}, fail("selection %s: list items must be field maps or keywords", name)
			}
		}
		if len(sel.alternatives) > 0 && len(keywords) > 0 {
			return selection{}, fail("selection %s mixes field maps and keywords", name)
		}
		if len(keywords) > 0 {
			fm := fieldMatch{}
			for _, k := range keywords {
				fm.values = append(fm.values, readGlob(k.Value).around(true, true).regexp(false).MatchString)
			}
			sel.alternatives = []fieldSet{{fm}}
		}
		return sel, nil
	}
	return selection{}, fail("selection %s must be a map of fields or a list", name)
}

func parseFieldSet(name string, n *yaml.Node) (fieldSet, error) {
	var fs fieldSet
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i].Value, n.Content[i+1]
		fm, err := parseField(key, value)
		if err != nil {
			return nil, within("selection "+name, err)
		}
		fs = append(fs, fm)
	}
	return fs, nil
}

// modifiers is what a field's key asks of its values.
type modifiers struct {
	how    string // equals, contains, startswith, endswith, re, cidr or exists
	flags  string // the re sub-modifiers: i, m, s
	all    bool
	cased  bool
	others int // how many modifiers besides how
}

func readModifiers(field string, mods []string) (modifiers, error) {
	m := modifiers{how: "equals"}
	keyword := field == ""
	for _, mod := range mods {
		switch {
		case keyword && mod != "all":
			return m, fail("a keyword search (a key with no field name) takes only the all modifier, not %s", mod)
		case mod == "contains" || mod == "startswith" || mod == "endswith" || mod == "re" || mod == "cidr" || mod == "exists":
			if m.how != "equals" {
				return m, fail("field %s: %s cannot be combined with %s", field, mod, m.how)
			}
			m.how = mod
		case mod == "i" || mod == "m" || mod == "s":
			if m.how != "re" {
				return m, fail("field %s: %s is a sub-modifier of re and comes after it", field, mod)
			}
			m.flags += mod
		case mod == "all":
			m.all = true
			m.others++
		case mod == "cased":
			m.cased = true
			m.others++
		default:
			return m, fail("field %s: the %s modifier is not supported (supported: contains, startswith, endswith, all, cased, exists, cidr, and re with i, m, s)", field, mod)
		}
	}
	switch {
	case m.cased && (m.how == "re" || m.how == "cidr"):
		return m, fail("field %s: cased is for text matches; %s does not take it", field, m.how)
	case m.how == "exists" && m.others > 0:
		return m, fail("field %s: exists takes no other modifier", field)
	}
	return m, nil
}

func parseField(key string, value *yaml.Node) (fieldMatch, error) {
	parts := strings.Split(key, "|")
	fm := fieldMatch{}
	if parts[0] != "" {
		fm.path = strings.Split(parts[0], ".")
	}
	label := parts[0]
	if label == "" {
		label = "keywords"
	}
	mods, err := readModifiers(parts[0], parts[1:])
	if err != nil {
		return fm, err
	}
	if parts[0] == "" && !mods.all {
		return fm, fail("a key with no field name is a keyword search, written '|all' with a list of keywords")
	}
	fm.all = mods.all
	if mods.how == "exists" {
		// "exists: Defines that a certain field has to exist or must not
		// exist in a log event by providing a boolean value."
		if value.Kind != yaml.ScalarNode || value.Tag != "!!bool" {
			return fm, fail("field %s: exists takes true or false", label)
		}
		want := strings.EqualFold(value.Value, "true")
		fm.exists = &want
		return fm, nil
	}
	var raw []*yaml.Node
	switch value.Kind {
	case yaml.ScalarNode:
		raw = []*yaml.Node{value}
	case yaml.SequenceNode:
		raw = value.Content
	default:
		return fm, fail("field %s: values must be text, numbers or a list of them", label)
	}
	// The modifiers appendix: "Single item values are not allowed to have
	// an all modifier"; and all over no value at all would match anything.
	if fm.all && len(raw) < 2 {
		return fm, fail("field %s: the all modifier needs at least two values (one value is a plain match; a single item may not carry all)", label)
	}
	for _, v := range raw {
		if v.Kind != yaml.ScalarNode {
			return fm, fail("field %s: values must be text, numbers or a list of them", label)
		}
		if v.Tag == "!!null" {
			// "null cannot be part of a list of field values as it is its
			// own type and therefore shares no type with any other value."
			if len(raw) > 1 {
				return fm, fail("field %s: null cannot be part of a list of values; test it in a selection of its own and join the two in the condition", label)
			}
			fm.null = true
			continue
		}
		test, err := valueMatcher(mods, fm.path == nil, v.Value)
		if err != nil {
			return fm, fail("field %s: %v", label, err)
		}
		fm.values = append(fm.values, test)
	}
	return fm, nil
}

func valueMatcher(m modifiers, keyword bool, v string) (valueTest, error) {
	g := readGlob(v)
	switch {
	case keyword || m.how == "contains":
		return g.around(true, true).regexp(m.cased).MatchString, nil
	case m.how == "startswith":
		return g.around(false, true).regexp(m.cased).MatchString, nil
	case m.how == "endswith":
		return g.around(true, false).regexp(m.cased).MatchString, nil
	case m.how == "re":
		flags := ""
		if m.flags != "" {
			flags = "(?" + m.flags + ")"
		}
		re, err := regexp.Compile(flags + v)
		if err != nil {
			return nil, fmt.Errorf("not a valid regular expression: %v", err)
		}
		return re.MatchString, nil
	case m.how == "cidr":
		return cidrTest(v)
	}
	return g.regexp(m.cased).MatchString, nil
}

// cidrTest matches addresses, IPv4 or IPv6, inside a network range.
func cidrTest(v string) (valueTest, error) {
	network, err := netip.ParsePrefix(strings.TrimSpace(v))
	if err != nil {
		return nil, fmt.Errorf("%q is not a network range such as 10.0.0.0/8", v)
	}
	network = network.Masked()
	return func(text string) bool {
		addr, err := netip.ParseAddr(strings.TrimSpace(text))
		return err == nil && network.Contains(addr.Unmap())
	}, nil
}

func (s selection) matches(e Event) bool {
	for _, fs := range s.alternatives {
		if fs.matches(e) {
			return true
		}
	}
	return false
}

func (fs fieldSet) matches(e Event) bool {
	for _, f := range fs {
		if !f.matches(e) {
			return false
		}
	}
	return true
}

func (f fieldMatch) matches(e Event) bool {
	var texts []string
	if f.path == nil {
		texts = allText(e)
	} else {
		got, present := lookup(e, f.path)
		if f.exists != nil {
			return present == *f.exists
		}
		if f.null && (!present || got == nil) {
			return true
		}
		if !present || got == nil {
			return false
		}
		texts = textsOf(got)
	}
	matchOne := func(test valueTest) bool {
		for _, t := range texts {
			if test(t) {
				return true
			}
		}
		return false
	}
	if f.all {
		for _, test := range f.values {
			if !matchOne(test) {
				return false
			}
		}
		return len(f.values) > 0
	}
	for _, test := range f.values {
		if matchOne(test) {
			return true
		}
	}
	return false
}

// lookup follows a dotted path through nested maps. Through a list of
// maps it follows every item, and the field's values are all they hold:
// requestParameters.eventSelectors.includeManagementEvents reads each
// selector of a PutEventSelectors record, as a log search flattens such
// a list, and a value matches if any item's does.
func lookup(e Event, path []string) (any, bool) {
	return follow(e, path)
}

func follow(cur any, path []string) (any, bool) {
	if len(path) == 0 {
		return cur, true
	}
	switch x := cur.(type) {
	case map[string]any:
		next, ok := x[path[0]]
		if !ok {
			return nil, false
		}
		return follow(next, path[1:])
	case []any:
		var found []any
		for _, item := range x {
			if v, ok := follow(item, path); ok {
				found = append(found, v)
			}
		}
		return found, len(found) > 0
	}
	return nil, false
}

// textsOf renders a value for matching; a list matches if any item does.
func textsOf(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, item := range x {
			out = append(out, textsOf(item)...)
		}
		return out
	case float64:
		if x == float64(int64(x)) {
			return []string{fmt.Sprint(int64(x))}
		}
	}
	return []string{fmt.Sprint(v)}
}

// allText is every scalar in the event, for keyword selections.
func allText(v any) []string {
	switch x := v.(type) {
	case map[string]any:
		var out []string
		for _, item := range x {
			out = append(out, allText(item)...)
		}
		return out
	case []any:
		var out []string
		for _, item := range x {
			out = append(out, allText(item)...)
		}
		return out
	case nil:
		return nil
	}
	return textsOf(v)
}
