package manifestschema_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/labs/manifestschema"
	"github.com/sakimori/sakimori/scenarios"
)

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := manifestschema.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario-schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("scenario-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// asJSON reads YAML as an editor's YAML extension does, into JSON values.
func asJSON(t *testing.T, manifest []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(manifest, &v); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every built-in manifest is valid against the generated schema.
func TestBuiltInManifestsMatchTheSchema(t *testing.T) {
	schema := compile(t)
	paths, _ := fs.Glob(scenarios.Files(), "*/scenario.yaml")
	if len(paths) == 0 {
		t.Fatal("no built-in scenarios")
	}
	for _, p := range paths {
		data, _ := fs.ReadFile(scenarios.Files(), p)
		if err := schema.Validate(asJSON(t, data)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// A manifest with a field the range does not know fails the schema, at
// the top and inside a host, and so does a value of the wrong shape.
func TestSchemaRefusesWhatTheDecoderRefuses(t *testing.T) {
	schema := compile(t)
	base, _ := fs.ReadFile(scenarios.Files(), "orientation/scenario.yaml")
	for name, bad := range map[string]string{
		"unknown top-level field": "privileged_mode: true\n" + string(base),
		"unknown host field":      strings.Replace(string(base), "hosts:\n  - name:", "hosts:\n  - cap_add: [SYS_ADMIN]\n    name:", 1),
		"bad size":                strings.Replace(string(base), "{/tmp: 16MiB}", "{/tmp: lots}", 1),
		"bad duration":            strings.Replace(string(base), "time_limit: 60m", "time_limit: soon", 1),
	} {
		if bad == string(base) {
			t.Fatalf("%s: test bug, nothing changed", name)
		}
		if err := schema.Validate(asJSON(t, []byte(bad))); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}
