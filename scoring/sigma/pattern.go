package sigma

import (
	"regexp"
	"strings"
)

// glob is a Sigma value read into literal text and wildcards, so that
// modifiers can add wildcards after the escapes are read, not before.
type glob []globPart

// globPart is literal text, or one wildcard (* or ?) when text is empty.
type globPart struct {
	text string
	wild rune
}

// readGlob reads a value's wildcards and escapes. A backslash escapes the
// character after it only when that is *, ? or another backslash; any
// other backslash, a trailing one included, is a plain backslash. Read
// pairwise from the left, this gives exactly the specification's table:
// \* and \? are plain, \\* is a backslash then a wildcard, \\\* is a
// backslash then a plain star, and three or four backslashes are two.
// It reads runes, not bytes, so text in any script is kept whole.
func readGlob(v string) glob {
	var g glob
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			g = append(g, globPart{text: lit.String()})
			lit.Reset()
		}
	}
	rs := []rune(v)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; {
		case c == '\\' && i+1 < len(rs) && (rs[i+1] == '*' || rs[i+1] == '?' || rs[i+1] == '\\'):
			lit.WriteRune(rs[i+1])
			i++
		case c == '*' || c == '?':
			flush()
			g = append(g, globPart{wild: c})
		default:
			lit.WriteRune(c)
		}
	}
	flush()
	return g
}

// around returns the glob with a * wildcard before and/or after it: what
// contains, startswith, endswith and keywords add to a value.
func (g glob) around(before, after bool) glob {
	out := make(glob, 0, len(g)+2)
	if before {
		out = append(out, globPart{wild: '*'})
	}
	out = append(out, g...)
	if after {
		out = append(out, globPart{wild: '*'})
	}
	return out
}

// regexp matches the whole of a text, case-insensitively unless cased.
func (g glob) regexp(cased bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if !cased {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for _, p := range g {
		switch p.wild {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(p.text))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}
