package opendb

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// call serves one request and returns the status and body.
func call(t *testing.T, h http.Handler, method, target, token, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestOpenDBIsOpenUntilAPasswordIsSet(t *testing.T) {
	db := New(map[string]map[string]json.RawMessage{"customers": {"1": json.RawMessage(`{"name":"Jo"}`)}})
	if status, body := call(t, db, "GET", "/_cat/indices", "", ""); status != 200 || !strings.Contains(body, "customers") {
		t.Fatalf("indices: %d %q", status, body)
	}
	if status, _ := call(t, db, "DELETE", "/customers", "", ""); status != 200 {
		t.Fatalf("anyone may delete an open node's index: %d", status)
	}
	if status, _ := call(t, db, "PUT", "/read_me/_doc/1", "", `{"note":"pay"}`); status != 201 {
		t.Fatalf("write: %d", status)
	}
	if status, _ := call(t, db, "POST", "/_security/user/elastic/_password", "", `{"password":"x"}`); status != 400 {
		t.Fatalf("a short password: %d", status)
	}
	if status, _ := call(t, db, "POST", "/_security/user/elastic/_password", "", `{"password":"long-enough"}`); status != 200 {
		t.Fatalf("set password: %d", status)
	}
	if status, _ := call(t, db, "GET", "/_cat/indices", "", ""); status != 401 {
		t.Fatalf("anonymous after the password: %d", status)
	}
	req := httptest.NewRequest("GET", "/read_me/_search", nil)
	req.SetBasicAuth("elastic", "long-enough")
	rec := httptest.NewRecorder()
	db.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "pay") {
		t.Fatalf("with the password: %d %s", rec.Code, rec.Body)
	}
}
