package k8s

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// jsonPatch applies a JSON patch (RFC 6902, `kubectl patch --type json`)
// to doc, which it may change, and returns the result. Every operation is
// read: add, remove, replace, move, copy and test, on paths written as
// JSON pointers (RFC 6901). The first one that cannot apply fails the
// whole patch, which the caller then discards.
func jsonPatch(doc any, ops []map[string]any) (any, error) {
	for i, op := range ops {
		name, _ := op["op"].(string)
		path, ok := op["path"].(string)
		if !ok {
			return nil, fmt.Errorf("operation %d (%s) has no path", i, name)
		}
		value, hasValue := op["value"]
		needsValue := name == "add" || name == "replace" || name == "test"
		if needsValue && !hasValue {
			return nil, fmt.Errorf("%s operation at %s has no value", name, path)
		}
		var err error
		switch name {
		case "add":
			doc, err = pointerDo(doc, path, name, func(parent any, key string) (any, error) { return insert(parent, key, value) })
		case "remove":
			doc, err = pointerDo(doc, path, name, remove)
		case "replace":
			doc, err = pointerDo(doc, path, name, func(parent any, key string) (any, error) {
				if _, err := child(parent, key); err != nil {
					return nil, err
				}
				parent, _ = remove(parent, key)
				return insert(parent, key, value)
			})
		case "move", "copy":
			from, ok := op["from"].(string)
			if !ok {
				return nil, fmt.Errorf("%s operation to %s has no from", name, path)
			}
			if name == "move" && strings.HasPrefix(path, from+"/") {
				return nil, fmt.Errorf("move operation cannot move %s into its own child %s", from, path)
			}
			var v any
			if v, err = lookup(doc, from); err != nil {
				return nil, fmt.Errorf("%s operation does not apply: %v", name, err)
			}
			if name == "move" {
				if doc, err = pointerDo(doc, from, name, remove); err != nil {
					return nil, err
				}
			} else {
				v = clone(map[string]any{"v": v})["v"]
			}
			doc, err = pointerDo(doc, path, name, func(parent any, key string) (any, error) { return insert(parent, key, v) })
		case "test":
			var got any
			if got, err = lookup(doc, path); err == nil && !reflect.DeepEqual(got, value) {
				err = fmt.Errorf("testing value %s failed: test failed", path)
			}
		default:
			err = fmt.Errorf("unexpected kind of operation: %q", name)
		}
		if err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// tokens splits a JSON pointer into its reference tokens, unescaped.
func tokens(pointer string) ([]string, error) {
	if pointer == "" {
		return nil, nil
	}
	if !strings.HasPrefix(pointer, "/") {
		return nil, fmt.Errorf("%q is not a JSON pointer: it must start with /", pointer)
	}
	parts := strings.Split(pointer[1:], "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// pointerDo rebuilds doc with fn applied to the object or array that holds
// the pointer's last token.
func pointerDo(doc any, pointer, op string, fn func(parent any, key string) (any, error)) (any, error) {
	toks, err := tokens(pointer)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		if op == "remove" {
			return nil, fmt.Errorf("remove operation cannot remove the whole document")
		}
		// The whole document, held by a stand-in object for fn.
		holder, err := fn(map[string]any{"": doc}, "")
		if err != nil {
			return nil, fmt.Errorf("%s operation does not apply: %v", op, err)
		}
		return holder.(map[string]any)[""], nil
	}
	var walk func(node any, toks []string) (any, error)
	walk = func(node any, toks []string) (any, error) {
		if len(toks) == 1 {
			return fn(node, toks[0])
		}
		next, err := child(node, toks[0])
		if err != nil {
			return nil, fmt.Errorf("%s operation does not apply: doc is missing path: %q", op, pointer)
		}
		updated, err := walk(next, toks[1:])
		if err != nil {
			return nil, err
		}
		switch n := node.(type) {
		case map[string]any:
			n[toks[0]] = updated
		case []any:
			i, _ := strconv.Atoi(toks[0])
			n[i] = updated
		}
		return node, nil
	}
	out, err := walk(doc, toks)
	if err != nil && !strings.Contains(err.Error(), "operation") {
		err = fmt.Errorf("%s operation does not apply: %v", op, err)
	}
	return out, err
}

// index reads an array index token: digits only, no leading zero.
func index(key string, n int, end bool) (int, error) {
	if end && key == "-" {
		return n, nil
	}
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || (len(key) > 1 && key[0] == '0') || strings.HasPrefix(key, "+") {
		return 0, fmt.Errorf("%q is not an array index", key)
	}
	limit := n - 1
	if end {
		limit = n
	}
	if i > limit {
		return 0, fmt.Errorf("index %d is out of bounds of an array of %d", i, n)
	}
	return i, nil
}

func child(node any, key string) (any, error) {
	switch n := node.(type) {
	case map[string]any:
		v, ok := n[key]
		if !ok {
			return nil, fmt.Errorf("missing key %q", key)
		}
		return v, nil
	case []any:
		i, err := index(key, len(n), false)
		if err != nil {
			return nil, err
		}
		return n[i], nil
	}
	return nil, fmt.Errorf("%q is neither in an object nor in an array", key)
}

func lookup(doc any, pointer string) (any, error) {
	toks, err := tokens(pointer)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		if doc, err = child(doc, t); err != nil {
			return nil, fmt.Errorf("doc is missing path: %q", pointer)
		}
	}
	return doc, nil
}

func insert(parent any, key string, value any) (any, error) {
	switch n := parent.(type) {
	case map[string]any:
		n[key] = value
		return n, nil
	case []any:
		i, err := index(key, len(n), true)
		if err != nil {
			return nil, err
		}
		out := append(append(append([]any(nil), n[:i]...), value), n[i:]...)
		return out, nil
	}
	return nil, fmt.Errorf("cannot add %q to a value that is neither an object nor an array", key)
}

func remove(parent any, key string) (any, error) {
	switch n := parent.(type) {
	case map[string]any:
		if _, ok := n[key]; !ok {
			return nil, fmt.Errorf("missing key %q", key)
		}
		delete(n, key)
		return n, nil
	case []any:
		i, err := index(key, len(n), false)
		if err != nil {
			return nil, err
		}
		return append(append([]any(nil), n[:i]...), n[i+1:]...), nil
	}
	return nil, fmt.Errorf("cannot remove %q from a value that is neither an object nor an array", key)
}
