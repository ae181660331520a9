package labs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits on a manifest's YAML, checked on its node tree before it is
// decoded into a Scenario, so a hostile manifest costs little to refuse.
// The largest built-in manifest is about 14 KiB and 12 levels deep.
const (
	MaxManifestBytes = 1 << 20
	MaxYAMLDepth     = 32
	MaxYAMLNodes     = 50_000
)

// checkYAMLShape parses data into a node tree and refuses what no
// manifest needs: more than MaxManifestBytes, nesting deeper than
// MaxYAMLDepth, more than MaxYAMLNodes values, and any alias at all.
// Aliases are refused outright rather than held to a budget: they are how
// a small file expands into a huge one (the "billion laughs"), and a
// manifest is read by reviewers, who should see every value where it
// applies. The tree is returned so problems found later can be placed.
func checkYAMLShape(data []byte) (*yaml.Node, []Problem) {
	if len(data) > MaxManifestBytes {
		return nil, []Problem{{Message: fmt.Sprintf("is %d bytes; a manifest may be at most %d", len(data), MaxManifestBytes), Line: 1, Column: 1}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, decodeProblems(err, nil)
	}
	var out []Problem
	nodes := 0
	var walk func(n *yaml.Node, depth int) bool
	walk = func(n *yaml.Node, depth int) bool {
		nodes++
		switch {
		case nodes > MaxYAMLNodes:
			out = append(out, Problem{Message: fmt.Sprintf("has more than %d values; no manifest needs so many", MaxYAMLNodes), Line: n.Line, Column: n.Column})
			return false
		case depth > MaxYAMLDepth:
			out = append(out, Problem{Message: fmt.Sprintf("is nested more than %d levels deep", MaxYAMLDepth), Line: n.Line, Column: n.Column})
			return false
		case n.Kind == yaml.AliasNode:
			out = append(out, Problem{Message: fmt.Sprintf("uses the alias *%s: aliases are not allowed in a manifest; write the value out", n.Value), Line: n.Line, Column: n.Column})
		}
		for _, c := range n.Content {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	walk(&root, 0)
	return &root, out
}

var yamlLine = regexp.MustCompile(`^line (\d+): `)

// unknownField is the decoder's message for a field the manifest's types lack.
var unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// decodeProblems turns a decoder's error into problems, one for each
// error it holds, each at the line it names and, where root has a value
// on that line, its column.
func decodeProblems(err error, root *yaml.Node) []Problem {
	var msgs []string
	if te, ok := err.(*yaml.TypeError); ok {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	out := make([]Problem, 0, len(msgs))
	for _, m := range msgs {
		p := Problem{Message: m}
		if g := yamlLine.FindStringSubmatch(m); g != nil {
			p.Line, _ = strconv.Atoi(g[1])
			p.Message = m[len(g[0]):]
			p.Column = columnOn(root, p.Line, p.Message)
		}
		// The decoder names Go types; an author needs the field's name.
		if g := unknownField.FindStringSubmatch(p.Message); g != nil {
			p.Message = "unknown field " + strconv.Quote(g[1]) + ": it has no meaning here (docs/scenarios.md lists every field)"
		}
		out = append(out, p)
	}
	return out
}

// columnOn is the column, on line, of the value a decoder's message
// quotes (the last one it names), else of the first value on the line, or
// 0 if none is.
func columnOn(n *yaml.Node, line int, message string) int {
	var first, named int
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Line == line && n.Kind == yaml.ScalarNode {
			if first == 0 {
				first = n.Column
			}
			if n.Value != "" && (strings.Contains(message, strconv.Quote(n.Value)) || strings.Contains(message, "`"+n.Value+"`") || strings.Contains(message, "field "+n.Value+" ")) {
				named = n.Column
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	if n != nil {
		walk(n)
	}
	if named != 0 {
		return named
	}
	return first
}

var pathStep = regexp.MustCompile(`^([^.\[]*)((?:\[\d+\])*)$`)

// place gives each problem that has no position the position of its field
// path in root (the nearest existing field, when the path names one that
// is missing), with the path's mapping keys found at the key.
func place(problems []Problem, root *yaml.Node) {
	for i := range problems {
		if problems[i].Line == 0 && root != nil {
			n := locate(root, problems[i].Path)
			problems[i].Line, problems[i].Column = n.Line, n.Column
		}
	}
}

// locate walks a field path such as hosts[1].env.FLAG down a node tree.
func locate(root *yaml.Node, path string) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	at := n
	if path == "" {
		return at
	}
	for _, step := range splitPath(path) {
		g := pathStep.FindStringSubmatch(step)
		if g == nil {
			return at
		}
		if g[1] != "" {
			key, value := lookup(n, g[1])
			if key == nil {
				return at
			}
			at, n = key, value
		}
		for _, idx := range strings.Split(strings.Trim(g[2], "[]"), "][") {
			if idx == "" {
				continue
			}
			i, _ := strconv.Atoi(idx)
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return at
			}
			n = n.Content[i]
			at = n
		}
	}
	return at
}

// splitPath splits a field path at its dots; an env key such as
// hosts[0].env.A.B keeps its own dots after env.
func splitPath(path string) []string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if (p == "env" || p == "tmpfs") && i+2 < len(parts) {
			return append(parts[:i+1], strings.Join(parts[i+1:], "."))
		}
	}
	return parts
}

func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// MaxProblems is how many problems one manifest reports; a manifest of
// ten thousand broken hosts says so in a screenful, not in megabytes.
const MaxProblems = 100

func capProblems(problems []Problem) []Problem {
	if len(problems) <= MaxProblems {
		return problems
	}
	rest := len(problems) - MaxProblems
	return append(problems[:MaxProblems:MaxProblems], Problem{Message: fmt.Sprintf("and %d more problems", rest)})
}
