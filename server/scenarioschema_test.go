package server_test

import (
	"bytes"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The scenario schema is served unsigned, as JSON Schema, and compiles;
// the contract describes the route.
func TestScenarioSchemaIsServed(t *testing.T) {
	rg := newRange(t)
	r := rg.call("GET", "/api/v1/scenario-schema.json", nil)
	expect(t, r, 200, "")
	if ct := r.header.Get("Content-Type"); ct != "application/schema+json" {
		t.Fatalf("content type %q", ct)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(r.raw)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario-schema.json", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile("scenario-schema.json"); err != nil {
		t.Fatal(err)
	}
	ct := contractOf(t, rg)
	ct.holds(t, "GET", "/api/v1/scenario-schema.json", nil, r)
}
