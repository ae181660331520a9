package openapi_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/sakimori/sakimori/server/openapi"
)

// The document must be valid OpenAPI 3.1, as a real validator reads it,
// both as written and as served.
func TestTheDocumentIsValid(t *testing.T) {
	for name, data := range map[string]func() ([]byte, error){
		"yaml": func() ([]byte, error) { return openapi.YAML(), nil },
		"json": openapi.JSON,
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := data()
			if err != nil {
				t.Fatal(err)
			}
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromData(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !doc.IsOpenAPI31OrLater() {
				t.Fatalf("version %q, want 3.1", doc.OpenAPI)
			}
		})
	}
}

func TestTheJSONIsTheYAML(t *testing.T) {
	raw, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/labs/{id}"] == nil {
		t.Fatalf("served document: %.200s", raw)
	}
}
