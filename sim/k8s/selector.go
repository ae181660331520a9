package k8s

import (
	"fmt"
	"strings"
)

// Label and field selectors as the API server reads them from a list's
// query. kubectl and its describe commands send both: a deployment's
// replica sets are found by its label selector (set-based terms included),
// and an object's events, or a node's pods, by field selectors.

type requirement struct {
	key, op string // op: =, !=, in, notin, exists, !
	values  []string
}

type selector []requirement

// parseSelector reads a label selector: a=b, a==b, a!=b, a in (b,c),
// a notin (b,c), a and !a, joined by commas.
func parseSelector(text string) (selector, error) {
	var sel selector
	for _, term := range splitTerms(text) {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		var r requirement
		switch {
		case strings.HasPrefix(term, "!"):
			r = requirement{key: strings.TrimSpace(term[1:]), op: "!"}
		case strings.Contains(term, "!="):
			k, v, _ := strings.Cut(term, "!=")
			r = requirement{key: strings.TrimSpace(k), op: "!=", values: []string{strings.TrimSpace(v)}}
		case strings.Contains(term, "="):
			k, v, _ := strings.Cut(strings.Replace(term, "==", "=", 1), "=")
			r = requirement{key: strings.TrimSpace(k), op: "=", values: []string{strings.TrimSpace(v)}}
		case strings.Contains(term, "("):
			fields := strings.Fields(term[:strings.Index(term, "(")])
			if len(fields) != 2 || (fields[1] != "in" && fields[1] != "notin") || !strings.HasSuffix(term, ")") {
				return nil, fmt.Errorf("%q is not a valid label selector term", term)
			}
			r = requirement{key: fields[0], op: fields[1]}
			for _, v := range strings.Split(term[strings.Index(term, "(")+1:len(term)-1], ",") {
				r.values = append(r.values, strings.TrimSpace(v))
			}
		default:
			r = requirement{key: term, op: "exists"}
		}
		if r.key == "" {
			return nil, fmt.Errorf("%q names no key", term)
		}
		sel = append(sel, r)
	}
	return sel, nil
}

// splitTerms splits a selector at the commas outside parentheses.
func splitTerms(text string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range text {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, text[start:i])
				start = i + 1
			}
		}
	}
	return append(out, text[start:])
}

func (sel selector) matches(obj map[string]any) bool {
	labels, _ := metaOf(obj)["labels"].(map[string]any)
	for _, r := range sel {
		v, has := labels[r.key]
		value := fmt.Sprint(v)
		in := has && contains(r.values, value)
		switch r.op {
		case "=", "in":
			if !in {
				return false
			}
		case "!=", "notin":
			if in {
				return false
			}
		case "exists":
			if !has {
				return false
			}
		case "!":
			if has {
				return false
			}
		}
	}
	return true
}

// fieldSelector is a list's field selector: path=value and path!=value
// terms, a path being the object's dotted field (metadata.name,
// spec.nodeName, involvedObject.uid).
type fieldSelector []requirement

func parseFieldSelector(text string) (fieldSelector, error) {
	var sel fieldSelector
	for _, term := range strings.Split(text, ",") {
		if strings.TrimSpace(term) == "" {
			continue
		}
		op := "="
		k, v, ok := strings.Cut(term, "!=")
		if ok {
			op = "!="
		} else if k, v, ok = strings.Cut(strings.Replace(term, "==", "=", 1), "="); !ok {
			return nil, fmt.Errorf("invalid selector: '%s'; can't understand '%s'", text, term)
		}
		sel = append(sel, requirement{key: strings.TrimSpace(k), op: op, values: []string{strings.TrimSpace(v)}})
	}
	return sel, nil
}

func (sel fieldSelector) matches(obj map[string]any) bool {
	for _, r := range sel {
		var cur any = obj
		for _, part := range strings.Split(r.key, ".") {
			m, _ := cur.(map[string]any)
			cur = m[part]
		}
		value := ""
		if cur != nil {
			value = fmt.Sprint(cur)
		}
		if (value == r.values[0]) != (r.op == "=") {
			return false
		}
	}
	return true
}
