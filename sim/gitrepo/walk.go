package gitrepo

import (
	"fmt"
	"strings"
)

// ErrNotFound is Find's answer when no version of any file matches.
var ErrNotFound = fmt.Errorf("gitrepo: nothing in the history matches")

// Find walks every commit reachable from head, as a scraper of a public
// repository does, reading loose objects with fetch (a path like
// objects/ab/cdef...), and returns the first version of any file that
// match accepts.
func Find(head string, fetch func(path string) ([]byte, error), match func(blob []byte) bool) ([]byte, error) {
	seen := map[string]bool{}
	queue := []string{strings.TrimSpace(head)}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] || len(id) != 40 {
			continue
		}
		seen[id] = true
		raw, err := fetch("objects/" + id[:2] + "/" + id[2:])
		if err != nil {
			return nil, err
		}
		kind, body, err := ReadObject(raw)
		if err != nil {
			return nil, err
		}
		switch kind {
		case "commit":
			for _, line := range strings.Split(string(body), "\n") {
				if rest, ok := strings.CutPrefix(line, "tree "); ok {
					queue = append(queue, rest)
				} else if rest, ok := strings.CutPrefix(line, "parent "); ok {
					queue = append(queue, rest)
				}
			}
		case "tree":
			queue = append(queue, treeEntries(body)...)
		case "blob":
			if match(body) {
				return body, nil
			}
		}
	}
	return nil, ErrNotFound
}

func treeEntries(body []byte) []string {
	var ids []string
	for len(body) > 0 {
		nul := strings.IndexByte(string(body), 0)
		if nul < 0 || len(body) < nul+21 {
			break
		}
		ids = append(ids, fmt.Sprintf("%x", body[nul+1:nul+21]))
		body = body[nul+21:]
	}
	return ids
}
