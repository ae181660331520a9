package k8s

import (
	"encoding/json"
	"strings"
	"testing"
)

// Each operation of RFC 6902, on objects and arrays, with escaped
// pointers; a failing operation fails the patch.
func TestJSONPatch(t *testing.T) {
	doc := func() any {
		var v any
		_ = json.Unmarshal([]byte(`{"a":{"b":[1,2,3]},"c~d/e":"x","n":5}`), &v)
		return v
	}
	for _, c := range []struct{ patch, want, fails string }{
		{`[{"op":"add","path":"/a/b/-","value":4}]`, `{"a":{"b":[1,2,3,4]},"c~d/e":"x","n":5}`, ""},
		{`[{"op":"add","path":"/a/b/0","value":0}]`, `{"a":{"b":[0,1,2,3]},"c~d/e":"x","n":5}`, ""},
		{`[{"op":"add","path":"/a/z","value":{"q":1}}]`, `{"a":{"b":[1,2,3],"z":{"q":1}},"c~d/e":"x","n":5}`, ""},
		{`[{"op":"remove","path":"/a/b/1"}]`, `{"a":{"b":[1,3]},"c~d/e":"x","n":5}`, ""},
		{`[{"op":"remove","path":"/c~0d~1e"}]`, `{"a":{"b":[1,2,3]},"n":5}`, ""},
		{`[{"op":"replace","path":"/n","value":6}]`, `{"a":{"b":[1,2,3]},"c~d/e":"x","n":6}`, ""},
		{`[{"op":"replace","path":"/a/b/2","value":9}]`, `{"a":{"b":[1,2,9]},"c~d/e":"x","n":5}`, ""},
		{`[{"op":"move","from":"/n","path":"/a/n"}]`, `{"a":{"b":[1,2,3],"n":5},"c~d/e":"x"}`, ""},
		{`[{"op":"copy","from":"/a/b","path":"/d"}]`, `{"a":{"b":[1,2,3]},"c~d/e":"x","d":[1,2,3],"n":5}`, ""},
		{`[{"op":"test","path":"/a/b","value":[1,2,3]},{"op":"replace","path":"","value":{"z":1}}]`, `{"z":1}`, ""},
		{`[{"op":"test","path":"/n","value":4},{"op":"add","path":"/m","value":1}]`, "", "testing value /n failed"},
		{`[{"op":"replace","path":"/missing","value":1}]`, "", "replace operation does not apply"},
		{`[{"op":"remove","path":"/a/b/3"}]`, "", "remove operation does not apply"},
		{`[{"op":"add","path":"/x/y","value":1}]`, "", "add operation does not apply"},
		{`[{"op":"move","from":"/a","path":"/a/b/c"}]`, "", "its own child"},
		{`[{"op":"jump","path":"/a"}]`, "", "unexpected kind of operation"},
	} {
		var ops []map[string]any
		if err := json.Unmarshal([]byte(c.patch), &ops); err != nil {
			t.Fatal(err)
		}
		got, err := jsonPatch(doc(), ops)
		if c.fails != "" {
			if err == nil || !strings.Contains(err.Error(), c.fails) {
				t.Errorf("%s: %v, want an error with %q", c.patch, err, c.fails)
			}
			continue
		}
		if err != nil || jsonText(got) != c.want {
			t.Errorf("%s: %s %v, want %s", c.patch, jsonText(got), err, c.want)
		}
	}
}
