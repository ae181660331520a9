package k8s

import "strings"

// mergePatch applies an RFC 7386 merge patch: maps merge, lists are
// replaced whole.
func mergePatch(target any, patch any) any {
	return merge(target, patch, false)
}

// strategicMerge applies the part of a strategic merge patch that kubectl
// sends from set env, set image, edit and apply: maps merge as in a merge
// patch, and a list of named objects (containers, env, volumes) merges
// element by element on the name, an element with "$patch": "delete"
// removing its match. Other lists are replaced whole; the order
// directives are not needed to apply the change and are skipped.
func strategicMerge(target any, patch any) any {
	return merge(target, patch, true)
}

func merge(target, patch any, strategic bool) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for key, v := range p {
		if strings.HasPrefix(key, "$") {
			continue
		}
		if v == nil {
			delete(t, key)
			continue
		}
		if pl, ok := v.([]any); ok && strategic && named(pl) {
			if tl, ok := t[key].([]any); ok && named(tl) {
				t[key] = mergeNamed(tl, pl)
				continue
			}
			t[key] = mergeNamed(nil, pl)
			continue
		}
		t[key] = merge(t[key], v, strategic)
	}
	return t
}

// named reports whether every element of l is an object with a name.
func named(l []any) bool {
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["name"].(string); !ok {
			return false
		}
	}
	return len(l) > 0
}

func mergeNamed(target, patch []any) []any {
	out := append([]any(nil), target...)
	find := func(name any) int {
		for i, e := range out {
			if e.(map[string]any)["name"] == name {
				return i
			}
		}
		return -1
	}
	for _, e := range patch {
		pm := e.(map[string]any)
		i := find(pm["name"])
		if pm["$patch"] == "delete" {
			if i >= 0 {
				out = append(out[:i], out[i+1:]...)
			}
			continue
		}
		if i >= 0 {
			out[i] = merge(out[i], pm, true)
		} else {
			out = append(out, merge(nil, pm, true))
		}
	}
	return out
}
