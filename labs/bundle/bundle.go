// Package bundle moves a scenario folder as one file: a gzip-compressed tar
// of scenario.yaml, its text.<lang>.yaml overlays, solution.yaml, its
// README*.md notes and any files/ it carries. Writing one is deterministic
// (sorted entries, zero times and owners), so a scenario's bundle has one
// sha256 and two exports of it are byte-equal. Reading one trusts nothing:
// see Read for what it refuses. It knows nothing of HTTP, SQL or Docker.
package bundle

import (
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing/fstest" // MapFS is a plain in-memory fs.FS; it brings in no test machinery
)

// Bundle is a scenario folder read into memory: every file by its
// slash-separated path inside the folder, such as "text.ja.yaml" or
// "files/index.html".
type Bundle struct {
	Files map[string][]byte
}

// Paths lists the bundle's files in the order a bundle stores them.
func (b *Bundle) Paths() []string {
	out := make([]string, 0, len(b.Files))
	for p := range b.Files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// FS is the bundle as a read-only file system whose root is the scenario
// folder, so labs.LoadScenario(b.FS(), ".") reads it like a folder on disk.
func (b *Bundle) FS() fs.FS {
	m := fstest.MapFS{}
	for p, data := range b.Files {
		m[p] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return m
}

// safeName is what a path segment in a bundle may be: no hidden files, no
// spaces or shell-special characters, so every name is portable and plain.
var safeName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$`)

// MaxDepth bounds how many folders deep a bundle's files may sit.
const MaxDepth = 8

// checkPath says why a path may not be stored in a bundle, or "" when it
// may. It refuses absolute paths, "..", "." and empty segments, backslashes
// and anything that is not plain.
func checkPath(p string) string {
	switch {
	case p == "":
		return "has an empty name"
	case strings.HasPrefix(p, "/"):
		return "is an absolute path"
	case strings.Contains(p, `\`):
		return "contains a backslash"
	}
	segments := strings.Split(p, "/")
	if len(segments) > MaxDepth {
		return "is nested too deep"
	}
	for _, s := range segments {
		switch {
		case s == "..":
			return "climbs out of the bundle with .."
		case s == "." || s == "":
			return "is not a clean path"
		case !safeName.MatchString(s):
			return "has a name other than letters, digits, '.', '_' and '-'"
		}
	}
	if path.Clean(p) != p {
		return "is not a clean path"
	}
	return ""
}
