package sigma

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// selection is one named part of a detection: any of its alternatives.
type selection struct {
	alternatives []fieldSet // a list of maps: any may match
	keywords     []*regexp.Regexp
}

// fieldSet is one map of a selection: every field must match.
type fieldSet []fieldMatch

// fieldMatch is one field with its modifiers and values.
type fieldMatch struct {
	path   []string
	all    bool // the all modifier: every value must match, not any
	null   bool // value null: the field must be absent or null
	values []*regexp.Regexp
}

func parseSelection(name string, n *yaml.Node) (selection, error) {
	switch n.Kind {
	case yaml.MappingNode:
		fs, err := parseFieldSet(name, n)
		return selection{alternatives: []fieldSet{fs}}, err
	case yaml.SequenceNode:
		var sel selection
		for _, item := range n.Content {
			switch item.Kind {
			case yaml.MappingNode:
				fs, err := parseFieldSet(name, item)
				if err != nil {
					return selection{}, err
				}
				sel.alternatives = append(sel.alternatives, fs)
			case yaml.ScalarNode: // keywords: matched anywhere in the event
				sel.keywords = append(sel.keywords, wildcard("*"+item.Value+"*"))
			default:
				return selection{}, fail("selection %s: list items must be field maps or keywords", name)
			}
		}
		if len(sel.alternatives) > 0 && len(sel.keywords) > 0 {
			return selection{}, fail("selection %s mixes field maps and keywords", name)
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
			return nil, fmt.Errorf("selection %s: %w", name, err)
		}
		fs = append(fs, fm)
	}
	return fs, nil
}

func parseField(key string, value *yaml.Node) (fieldMatch, error) {
	parts := strings.Split(key, "|")
	fm := fieldMatch{path: strings.Split(parts[0], ".")}
	how := "equals"
	for _, mod := range parts[1:] {
		switch mod {
		case "contains", "startswith", "endswith", "re":
			if how != "equals" {
				return fm, fail("field %s: %s cannot be combined with %s", parts[0], mod, how)
			}
			how = mod
		case "all":
			fm.all = true
		default:
			return fm, fail("field %s: the %s modifier is not supported (supported: contains, startswith, endswith, re, all)", parts[0], mod)
		}
	}
	var raw []*yaml.Node
	switch value.Kind {
	case yaml.ScalarNode:
		raw = []*yaml.Node{value}
	case yaml.SequenceNode:
		raw = value.Content
	default:
		return fm, fail("field %s: values must be text, numbers or a list of them", parts[0])
	}
	for _, v := range raw {
		if v.Kind != yaml.ScalarNode {
			return fm, fail("field %s: values must be text, numbers or a list of them", parts[0])
		}
		if v.Tag == "!!null" {
			fm.null = true
			continue
		}
		re, err := valueMatcher(how, v.Value)
		if err != nil {
			return fm, fail("field %s: %v", parts[0], err)
		}
		fm.values = append(fm.values, re)
	}
	return fm, nil
}

func valueMatcher(how, v string) (*regexp.Regexp, error) {
	switch how {
	case "contains":
		return wildcard("*" + v + "*"), nil
	case "startswith":
		return wildcard(v + "*"), nil
	case "endswith":
		return wildcard("*" + v), nil
	case "re":
		re, err := regexp.Compile(v)
		if err != nil {
			return nil, fmt.Errorf("not a valid regular expression: %v", err)
		}
		return re, nil
	}
	return wildcard(v), nil
}

func (s selection) matches(e Event) bool {
	if len(s.keywords) > 0 {
		texts := allText(e)
		for _, k := range s.keywords {
			for _, t := range texts {
				if k.MatchString(t) {
					return true
				}
			}
		}
		return false
	}
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
	got, present := lookup(e, f.path)
	if f.null && (!present || got == nil) {
		return true
	}
	if !present || got == nil {
		return false
	}
	texts := texts(got)
	matchOne := func(re *regexp.Regexp) bool {
		for _, t := range texts {
			if re.MatchString(t) {
				return true
			}
		}
		return false
	}
	if f.all {
		for _, re := range f.values {
			if !matchOne(re) {
				return false
			}
		}
		return len(f.values) > 0
	}
	for _, re := range f.values {
		if matchOne(re) {
			return true
		}
	}
	return false
}

// lookup follows a dotted path through nested maps.
func lookup(e Event, path []string) (any, bool) {
	var cur any = e
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// texts renders a value for matching; a list matches if any item does.
func texts(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, item := range x {
			out = append(out, texts(item)...)
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
	return texts(v)
}
