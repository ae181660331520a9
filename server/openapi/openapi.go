// Package openapi holds the HTTP contract of the range: one OpenAPI 3.1
// document, written by hand in openapi.yaml, embedded, and served as JSON.
// The server's tests hold the routes and the handlers' replies to it, and
// the frontend's wire types are generated from it.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed openapi.yaml
var source []byte

// YAML is the document as written.
func YAML() []byte { return source }

// JSON is the document as JSON.
func JSON() ([]byte, error) { return rendered() }

// rendered converts the document once, on first use.
var rendered = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(source, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	plain, err := jsonable(doc)
	if err != nil {
		return nil, err
	}
	return json.Marshal(plain)
})

// jsonable turns what YAML decodes into what JSON can encode: YAML allows
// keys of any type (an unquoted status code is an integer), JSON only
// strings.
func jsonable(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			c, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			v[k] = c
		}
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			c, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = c
		}
		return out, nil
	case []any:
		for i, e := range v {
			c, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			v[i] = c
		}
		return v, nil
	}
	return v, nil
}
