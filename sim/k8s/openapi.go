package k8s

import "strings"

// openAPIRoot is /openapi/v3: one document per group version.
func openAPIRoot() map[string]any {
	paths := map[string]any{}
	for _, k := range kinds {
		gv := k.openAPIPrefix()
		paths[gv] = map[string]any{"serverRelativeURL": "/openapi/v3/" + gv}
	}
	return map[string]any{"paths": paths}
}

// openAPIDoc is the document of one group version, reduced to what
// kubectl reads: the create and patch operations of each kind and their
// fieldValidation parameter, which tells kubectl the server validates
// fields itself so kubectl need not download schemas.
func openAPIDoc(gv string) (map[string]any, bool) {
	paths := map[string]any{}
	for _, k := range kinds {
		if k.openAPIPrefix() != gv {
			continue
		}
		gvk := map[string]any{"group": k.group, "version": k.version, "kind": k.kind}
		op := func(id string) map[string]any {
			return map[string]any{
				"operationId":                     id + k.kind,
				"x-kubernetes-group-version-kind": gvk,
				"parameters": []any{
					map[string]any{"name": "fieldValidation", "in": "query", "schema": map[string]any{"type": "string", "uniqueItems": true}},
				},
				"responses": map[string]any{"200": map[string]any{"description": "OK"}},
			}
		}
		collection := "/" + gv + "/" + k.resource
		if k.namespaced {
			collection = "/" + gv + "/namespaces/{namespace}/" + k.resource
		}
		paths[collection] = map[string]any{"post": op("create")}
		paths[collection+"/{name}"] = map[string]any{"patch": op("patch"), "put": op("replace")}
	}
	if len(paths) == 0 {
		return nil, false
	}
	return map[string]any{"openapi": "3.0.0", "info": map[string]any{"title": "Kubernetes", "version": "v1.32.4"}, "paths": paths, "components": map[string]any{"schemas": map[string]any{}}}, true
}

func openAPIPath(path string) (string, bool) {
	gv, ok := strings.CutPrefix(path, "/openapi/v3/")
	return gv, ok
}

func (k kind) openAPIPrefix() string {
	if k.group == "" {
		return "api/" + k.version
	}
	return "apis/" + k.group + "/" + k.version
}
