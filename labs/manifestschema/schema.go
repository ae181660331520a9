// Package manifestschema is the JSON Schema of scenario.yaml, generated
// from the Go types the manifest is decoded into (labs.Scenario), so the
// schema an author's editor checks against cannot drift from what the range
// reads. The schema checks shape only (fields, types, allowed words); the
// range's own validator (labs.Validate) still decides, with its reasons,
// what a lab may do.
package manifestschema

import (
	"encoding/json"
	"reflect"
	"sync"

	"github.com/invopop/jsonschema"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/manifest"
)

// ID is where the range publishes the schema, relative to its address.
const ID = "/api/v1/scenario-schema.json"

var (
	once   sync.Once
	cached []byte
	genErr error
)

// JSON returns the schema as indented JSON. It is made once: the types
// it comes from do not change while the range runs.
func JSON() ([]byte, error) {
	once.Do(func() { cached, genErr = json.MarshalIndent(Schema(), "", "  ") })
	return cached, genErr
}

// Schema reflects labs.Scenario by its yaml field names. Every field is
// optional to the schema (the validator says which are required, and
// why), and no field beyond the Go type's is allowed, as the range's strict
// decoder allows none.
func Schema() *jsonschema.Schema {
	r := &jsonschema.Reflector{
		FieldNameTag:               "yaml",
		RequiredFromJSONSchemaTags: true, // no jsonschema tags: nothing required by the schema
		DoNotReference:             false,
		Mapper:                     mapType,
	}
	s := r.Reflect(&labs.Scenario{})
	s.ID = "" // the reflector's guess names a page that does not exist; the range serves it at ID
	s.Title = "Sakimori scenario manifest (scenario.yaml)"
	s.Description = "A lab scenario for the Sakimori range. See docs/scenarios.md."
	return s
}

var (
	sizeType     = reflect.TypeFor[labs.Size]()
	durationType = reflect.TypeFor[manifest.Duration]()
)

// mapType describes the manifest's own scalar types as they are written.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case sizeType:
		return &jsonschema.Schema{
			Description: "a size such as 64MiB, 512KiB, 1GiB or a plain byte count",
			OneOf: []*jsonschema.Schema{
				{Type: "string", Pattern: `^[0-9]+(GiB|MiB|KiB|B)?$`},
				{Type: "integer", Minimum: json.Number("0")},
			},
		}
	case durationType:
		return &jsonschema.Schema{Type: "string", Pattern: `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`, Description: "a duration such as 90m or 1h30m"}
	}
	return nil
}
