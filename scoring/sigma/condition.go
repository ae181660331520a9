package sigma

import (
	"path"
	"strings"
	"unicode"
)

// node is a parsed condition.
type node interface {
	eval(r *detection, e Event) bool
}

type ref string
type not struct{ n node }
type and struct{ a, b node }
type or struct{ a, b node }
type oneOf []string
type allOf []string

func (s ref) eval(r *detection, e Event) bool { return r.selections[string(s)].matches(e) }
func (n not) eval(r *detection, e Event) bool { return !n.n.eval(r, e) }
func (n and) eval(r *detection, e Event) bool { return n.a.eval(r, e) && n.b.eval(r, e) }
func (n or) eval(r *detection, e Event) bool  { return n.a.eval(r, e) || n.b.eval(r, e) }

func (n oneOf) eval(r *detection, e Event) bool {
	for _, s := range n {
		if r.selections[s].matches(e) {
			return true
		}
	}
	return false
}

func (n allOf) eval(r *detection, e Event) bool {
	for _, s := range n {
		if !r.selections[s].matches(e) {
			return false
		}
	}
	return true
}

// parser reads: expr = and ("or" and)*; and = unary ("and" unary)*;
// unary = "not" unary | "(" expr ")" | ("1"|"all") "of" pattern | name.
type parser struct {
	tokens []string
	pos    int
	names  []string
}

func parseCondition(text string, names []string) (node, error) {
	if strings.Contains(text, "|") {
		// The correlation specification calls aggregations in a condition
		// "the first approach ... now obsolete"; its own form replaces them.
		return nil, fail("aggregations in a condition (| count() …) are Sigma's obsolete form: write a correlation rule (event_count, value_count, temporal) that refers to this rule by name instead")
	}
	p := &parser{tokens: tokenize(text), names: names}
	if len(p.tokens) == 0 {
		return nil, fail("the condition is empty")
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.tokens) {
		return nil, fail("unexpected %q in the condition", p.tokens[p.pos])
	}
	return n, nil
}

func tokenize(s string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			flush()
		case r == '(' || r == ')':
			flush()
			out = append(out, string(r))
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

func (p *parser) peek() string {
	if p.pos < len(p.tokens) {
		return strings.ToLower(p.tokens[p.pos])
	}
	return ""
}

func (p *parser) expr() (node, error) {
	left, err := p.and()
	for err == nil && p.peek() == "or" {
		p.pos++
		var right node
		if right, err = p.and(); err == nil {
			left = or{left, right}
		}
	}
	return left, err
}

func (p *parser) and() (node, error) {
	left, err := p.unary()
	for err == nil && p.peek() == "and" {
		p.pos++
		var right node
		if right, err = p.unary(); err == nil {
			left = and{left, right}
		}
	}
	return left, err
}

func (p *parser) unary() (node, error) {
	switch tok := p.peek(); {
	case tok == "":
		return nil, fail("the condition ends too early")
	case tok == "not":
		p.pos++
		n, err := p.unary()
		return not{n}, err
	case tok == "(":
		p.pos++
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fail("a parenthesis is not closed in the condition")
		}
		p.pos++
		return n, nil
	case tok == "1" || tok == "all" || tok == "any":
		p.pos++
		if p.peek() != "of" {
			return nil, fail("expected \"of\" after %q", tok)
		}
		p.pos++
		matched, err := p.pattern()
		if err != nil {
			return nil, err
		}
		if tok == "all" {
			return allOf(matched), nil
		}
		return oneOf(matched), nil
	case tok == ")" || tok == "and" || tok == "or" || tok == "of":
		return nil, fail("unexpected %q in the condition", p.tokens[p.pos])
	}
	name := p.tokens[p.pos]
	p.pos++
	for _, n := range p.names {
		if n == name {
			return ref(name), nil
		}
	}
	return nil, fail("the condition names %q, which is not a selection of this rule", name)
}

// pattern is "them" (every selection not starting with _) or a name
// with * wildcards.
func (p *parser) pattern() ([]string, error) {
	if p.pos >= len(p.tokens) {
		return nil, fail("expected a selection pattern after \"of\"")
	}
	pat := p.tokens[p.pos]
	p.pos++
	if strings.EqualFold(pat, "them") {
		// The specification: "1 of them" and "all of them" run "across all
		// defined search identifiers not starting with an underscore _".
		var out []string
		for _, n := range p.names {
			if !strings.HasPrefix(n, "_") {
				out = append(out, n)
			}
		}
		if len(out) == 0 {
			return nil, fail("\"of them\" counts no search identifier: those starting with an underscore are left out of them")
		}
		return out, nil
	}
	var out []string
	for _, n := range p.names {
		if ok, _ := path.Match(pat, n); ok {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fail("no selection matches %q", pat)
	}
	return out, nil
}
