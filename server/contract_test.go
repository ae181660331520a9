package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// contract is the served OpenAPI document, loaded and checked by a real
// validator, with a router that finds a request's operation in it.
type contract struct {
	doc    *openapi3.T
	router routers.Router
}

// The range's other text replies are read as plain text; an event
// stream's events are then checked one by one (see events).
var textBodies sync.Once

func contractOf(t *testing.T, rg *range_) contract {
	t.Helper()
	textBodies.Do(func() {
		for _, ct := range []string{"text/event-stream", "application/x-asciicast", "text/html", "application/x-ndjson"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	})
	r := rg.call("GET", "/api/v1/openapi.json", nil)
	expect(t, r, 200, "")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(r.raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return contract{doc: doc, router: router}
}

// holds checks one exchange against the document: the operation exists;
// an accepted request's body fits its schema; the reply's status is one
// the operation lists, its body fits the status's schema, and an error's
// code is one the document lists for that status.
func (ct contract) holds(t *testing.T, method, path string, body []byte, r reply) {
	t.Helper()
	ct.holdsAs(t, method, path, "application/json", body, r)
}

// holdsAs is holds for a request body sent as ctype.
func (ct contract) holdsAs(t *testing.T, method, path, ctype string, body []byte, r reply) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	route, params, err := ct.router.FindRoute(routable(req))
	if err != nil {
		t.Fatalf("%s %s is not in the contract: %v", method, path, err)
	}
	sent := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if r.status < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), sent); err != nil {
			t.Errorf("%s %s was accepted, but the contract refuses it: %v", method, path, err)
		}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: sent,
		Status:                 r.status,
		Header:                 r.header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes([]byte(r.raw))
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s → %d breaks the contract: %v\nbody: %.300s", method, path, r.status, err, r.raw)
		return
	}
	if strings.HasPrefix(r.header.Get("Content-Type"), "text/event-stream") {
		ct.events(t, route.Operation, r.raw)
	}
	if _, isError := r.body["error"]; !isError {
		return
	}
	codes := errorCodes(route.Operation.Responses.Status(r.status))
	if !slices.Contains(codes, r.errorCode()) {
		t.Errorf("%s %s → %d %q: the contract lists only %v for this status", method, path, r.status, r.errorCode(), codes)
	}
}

// events checks each event of a stream: its name is the operation's
// x-event-name and its data fits the schema x-event-data names.
func (ct contract) events(t *testing.T, op *openapi3.Operation, stream string) {
	t.Helper()
	name, _ := op.Extensions["x-event-name"].(string)
	schemaName, _ := op.Extensions["x-event-data"].(string)
	schema := ct.doc.Components.Schemas[schemaName]
	if name == "" || schema == nil {
		t.Fatalf("operation %s names no event or no known schema for its data", op.OperationID)
	}
	seen := 0
	for _, block := range strings.Split(strings.TrimSpace(stream), "\n\n") {
		if strings.HasPrefix(block, ":") {
			continue // a comment, to keep the connection
		}
		event, data, ok := strings.Cut(block, "\ndata: ")
		if !ok || event != "event: "+name {
			t.Errorf("%s: an event that is not %q: %q", op.OperationID, name, block)
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			t.Errorf("%s: event data is not JSON: %v", op.OperationID, err)
			continue
		}
		if err := schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("%s: event data breaks the contract: %v", op.OperationID, err)
		}
		seen++
	}
	if seen == 0 {
		t.Errorf("%s: no event in the stream", op.OperationID)
	}
}

// routable is req as the router can find it. An OpenAPI path template
// names one path segment per parameter, so the lab web proxy's path, which
// may be empty or hold slashes, is looked up as a single segment.
func routable(req *http.Request) *http.Request {
	cap, rest, ok := strings.Cut(strings.TrimPrefix(req.URL.Path, "/lab-web/"), "/")
	if !strings.HasPrefix(req.URL.Path, "/lab-web/") || (ok && rest != "" && !strings.Contains(rest, "/")) {
		return req
	}
	r := req.Clone(req.Context())
	r.URL.Path = "/lab-web/" + cap + "/path"
	return r
}

// errorCodes are the codes a response lists in x-error-codes.
func errorCodes(ref *openapi3.ResponseRef) []string {
	if ref == nil || ref.Value == nil {
		return nil
	}
	list, _ := ref.Value.Extensions["x-error-codes"].([]any)
	var codes []string
	for _, c := range list {
		if s, ok := c.(string); ok {
			codes = append(codes, s)
		}
	}
	return codes
}

// Every route in the route table is described, and every description is a
// route. Fiber answers HEAD wherever it answers GET, and passes CONNECT
// through the lab web proxy; OpenAPI has no CONNECT, so it is not compared.
func TestEveryRouteIsDescribed(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	ct := contractOf(t, rg)

	served := map[string]bool{}
	for _, r := range rg.app.GetRoutes(true) {
		if r.Method == http.MethodConnect {
			continue
		}
		served[r.Method+" "+openapiPath(r.Path)] = true
	}
	for key := range served {
		method, path, _ := strings.Cut(key, " ")
		if method == http.MethodHead && served["GET "+path] {
			delete(served, key) // Fiber's own HEAD for a GET route
		}
	}
	described := map[string]bool{}
	for path, item := range ct.doc.Paths.Map() {
		for method := range item.Operations() {
			described[method+" "+path] = true
		}
	}
	for _, key := range sortedKeys(served) {
		if !described[key] {
			t.Errorf("route %s is not described in the contract", key)
		}
	}
	for _, key := range sortedKeys(described) {
		if !served[key] && !(strings.HasPrefix(key, "HEAD ") && served["GET "+strings.TrimPrefix(key, "HEAD ")]) {
			t.Errorf("the contract describes %s, which is no route", key)
		}
	}
}

// openapiPath writes a Fiber route path as an OpenAPI path template:
// /labs/:id → /labs/{id}, and a trailing wildcard → {path}.
func openapiPath(fiberPath string) string {
	parts := strings.Split(fiberPath, "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, ":"):
			parts[i] = "{" + strings.TrimSuffix(p[1:], "?") + "}"
		case p == "*":
			parts[i] = "{path}"
		}
	}
	return strings.Join(parts, "/")
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
