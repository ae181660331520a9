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

// The node answers in Elasticsearch's shapes and words, which a responder
// who knows the product reads: the root's build details, _cat/indices
// with its header only under ?v, an unknown path, and wrong credentials
// told from none.
func TestOpenDBAnswersAsElasticsearch(t *testing.T) {
	db := New(map[string]map[string]json.RawMessage{"customers": {"1": json.RawMessage(`{"name":"Jo"}`)}})
	_, root := call(t, db, "GET", "/", "", "")
	var info struct {
		ClusterUUID string `json:"cluster_uuid"`
		Version     struct {
			Number, BuildFlavor, BuildHash, LuceneVersion string
		} `json:"version"`
	}
	_ = json.Unmarshal([]byte(root), &info)
	if len(info.ClusterUUID) != 22 || !strings.Contains(root, `"build_flavor":"default"`) || !strings.Contains(root, `"lucene_version":"8.7.0"`) {
		t.Fatalf("root: %s", root)
	}
	_, plain := call(t, db, "GET", "/_cat/indices", "", "")
	_, verbose := call(t, db, "GET", "/_cat/indices?v", "", "")
	if strings.HasPrefix(plain, "health") || !strings.HasPrefix(verbose, "health status index") || len(strings.Fields(strings.Split(plain, "\n")[0])) != 10 {
		t.Fatalf("_cat/indices: %q; with ?v: %q", plain, verbose)
	}
	if status, body := call(t, db, "GET", "/_nodes/stats", "", ""); status != 400 || !strings.Contains(body, `no handler found for uri [/_nodes/stats] and method [GET]`) {
		t.Fatalf("an unknown path: %d %s", status, body)
	}
	if status, body := call(t, db, "GET", "/_cluster/health", "", ""); status != 200 || !strings.Contains(body, `"status":"yellow"`) {
		t.Fatalf("health: %d %s", status, body)
	}
	call(t, db, "POST", "/_security/user/elastic/_password", "", `{"password":"long-enough"}`)
	req := httptest.NewRequest("GET", "/", nil)
	req.SetBasicAuth("elastic", "changeme")
	rec := httptest.NewRecorder()
	db.ServeHTTP(rec, req)
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), "unable to authenticate user [elastic] for REST request [/]") {
		t.Fatalf("a wrong password: %d %s", rec.Code, rec.Body)
	}
	if _, body := call(t, db, "GET", "/", "", ""); !strings.Contains(body, "missing authentication credentials for REST request [/]") || !strings.Contains(body, "root_cause") {
		t.Fatalf("no credentials: %s", body)
	}
}

// A search answers in Elasticsearch's shape (took, _shards, scores), and
// ?pretty indents it.
func TestSearchAnswersInElasticsearchsShape(t *testing.T) {
	db := New(map[string]map[string]json.RawMessage{"customers": {"1": json.RawMessage(`{"name":"Jo"}`)}})
	_, body := call(t, db, "GET", "/customers/_search", "", "")
	var out struct {
		Took     *int                            `json:"took"`
		TimedOut bool                            `json:"timed_out"`
		Shards   struct{ Total, Successful int } `json:"_shards"`
		Hits     struct {
			MaxScore *float64 `json:"max_score"`
			Hits     []struct {
				Type  string  `json:"_type"`
				Score float64 `json:"_score"`
			} `json:"hits"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Took == nil || out.Shards.Total != 1 || out.Hits.MaxScore == nil ||
		len(out.Hits.Hits) != 1 || out.Hits.Hits[0].Type != "_doc" || out.Hits.Hits[0].Score != 1 {
		t.Fatalf("search: %v\n%s", err, body)
	}
	if _, indented := call(t, db, "GET", "/customers/_search?pretty", "", ""); !strings.Contains(indented, "\n  \"") {
		t.Fatalf("?pretty: %s", indented)
	}
}
