// Package opendb is Open by Default's vulnerable search database, run by
// its own host (sakimori-sim opendb).
package opendb

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// DB is a search database in the shape of an Elasticsearch node left
// open to the internet: no authentication, so anyone can read, delete and
// write, as the "Meow" bot did to thousands in 2020 and ransom gangs did
// in 2017. Setting the elastic user's password turns authentication on
// (the lab's stand-in for enabling the node's security feature).
type DB struct {
	mu       sync.Mutex
	indices  map[string]map[string]json.RawMessage // index → id → document
	uuids    map[string]string                     // index → its uuid, as _cat/indices shows it
	cluster  string                                // the cluster's uuid
	password string
}

// New starts with the given indices of documents by id.
func New(seed map[string]map[string]json.RawMessage) *DB {
	if seed == nil {
		seed = map[string]map[string]json.RawMessage{}
	}
	d := &DB{indices: seed, uuids: map[string]string{}, cluster: indexUUID()}
	for name := range seed {
		d.uuids[name] = indexUUID()
	}
	return d
}

func (d *DB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ok, why := d.allowed(r); !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="security" charset="UTF-8"`)
		writeDBError(w, http.StatusUnauthorized, "security_exception", why+" for REST request ["+r.URL.Path+"]")
		return
	}
	if r.URL.Query().Has("pretty") {
		w = pretty{w}
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		d.info(w)
	case r.URL.Path == "/_cat" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		fmt.Fprint(w, "=^.^=\n/_cat/health\n/_cat/indices\n/_cat/indices/{index}\n")
	case r.URL.Path == "/_cat/indices" && r.Method == http.MethodGet:
		d.catIndices(w, r.URL.Query().Has("v"))
	case r.URL.Path == "/_cat/health" && r.Method == http.MethodGet:
		d.catHealth(w, r.URL.Query().Has("v"))
	case r.URL.Path == "/_cluster/health" && r.Method == http.MethodGet:
		d.health(w)
	case r.URL.Path == "/_security/user/elastic/_password" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		d.setPassword(w, r)
	case len(parts) == 2 && parts[1] == "_search":
		d.search(w, parts[0])
	case len(parts) == 3 && parts[1] == "_doc" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		d.put(w, r, parts[0], parts[2])
	case len(parts) == 1 && r.Method == http.MethodDelete:
		d.deleteIndex(w, parts[0])
	default:
		// Elasticsearch's own words for a path it does not serve.
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": "no handler found for uri [" + r.URL.RequestURI() + "] and method [" + r.Method + "]", "status": 400})
	}
}

// info is the node's root answer, as an Elasticsearch 7.10.2 node gives it
// (the default distribution: the one with the security feature).
func (d *DB) info(w http.ResponseWriter) {
	writeDB(w, map[string]any{"name": "acme-search-01", "cluster_name": "acme-prod", "cluster_uuid": d.cluster,
		"version": map[string]any{"number": "7.10.2", "build_flavor": "default", "build_type": "docker",
			"build_hash": "747e1cc71def077253878a59143c1f785afa92b9", "build_date": "2021-01-13T00:42:12.435326Z",
			"build_snapshot": false, "lucene_version": "8.7.0", "minimum_wire_compatibility_version": "6.8.0",
			"minimum_index_compatibility_version": "6.0.0-beta1"},
		"tagline": "You Know, for Search"})
}

// health is a single node's: yellow, its replicas having nowhere to go.
func (d *DB) health(w http.ResponseWriter) {
	d.mu.Lock()
	n := len(d.indices)
	d.mu.Unlock()
	writeDB(w, map[string]any{"cluster_name": "acme-prod", "status": "yellow", "timed_out": false, "number_of_nodes": 1,
		"number_of_data_nodes": 1, "active_primary_shards": n, "active_shards": n, "relocating_shards": 0,
		"initializing_shards": 0, "unassigned_shards": n, "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
		"number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0, "active_shards_percent_as_number": 50.0})
}

func (d *DB) catHealth(w http.ResponseWriter, header bool) {
	d.mu.Lock()
	n := len(d.indices)
	d.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	if header {
		fmt.Fprintln(w, "epoch      timestamp cluster   status node.total node.data shards pri relo init unassign pending_tasks max_task_wait_time active_shards_percent")
	}
	now := time.Now().UTC()
	fmt.Fprintf(w, "%d %s acme-prod yellow          1         1 %6d %3d    0    0 %8d             0                  -                 50.0%%\n",
		now.Unix(), now.Format("15:04:05"), n, n, n)
}

// allowed says whether r may be served, and if not, why in Elasticsearch's
// words: no credentials, or wrong ones.
func (d *DB) allowed(r *http.Request) (bool, string) {
	d.mu.Lock()
	pw := d.password
	d.mu.Unlock()
	if pw == "" {
		return true, ""
	}
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		return false, "missing authentication credentials"
	case user != "elastic" || subtle.ConstantTimeCompare([]byte(pass), []byte(pw)) != 1:
		return false, "unable to authenticate user [" + user + "]"
	}
	return true, ""
}

// catIndices lists the indices as _cat/indices does: every column, and
// the header row only when ?v asks for it.
func (d *DB) catIndices(w http.ResponseWriter, header bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make([]string, 0, len(d.indices))
	for n := range d.indices {
		names = append(names, n)
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	if header {
		fmt.Fprintf(w, "%-6s %-6s %-12s %-22s %3s %3s %10s %12s %10s %14s\n", "health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size")
	}
	for _, n := range names {
		size := 208 // an empty shard's files
		for _, doc := range d.indices[n] {
			size += len(doc) + 96
		}
		fmt.Fprintf(w, "%-6s %-6s %-12s %-22s %3d %3d %10d %12d %10s %14s\n", "yellow", "open", n, d.uuids[n], 1, 1, len(d.indices[n]), 0, byteSize(size), byteSize(size))
	}
}

// byteSize writes a size as Elasticsearch's _cat APIs do (208b, 5.2kb).
func byteSize(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%db", n)
	}
	return fmt.Sprintf("%.1fkb", float64(n)/1024)
}

// indexUUID is a new index's uuid: 22 characters of URL-safe base64.
func indexUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (d *DB) search(w http.ResponseWriter, index string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	docs, ok := d.indices[index]
	if !ok {
		writeDBError(w, http.StatusNotFound, "index_not_found_exception", "no such index ["+index+"]")
		return
	}
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	hits := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		hits = append(hits, map[string]any{"_index": index, "_type": "_doc", "_id": id, "_score": 1.0, "_source": docs[id]})
	}
	var best any // a search with no hits has no best score
	if len(hits) > 0 {
		best = 1.0
	}
	writeDB(w, map[string]any{"took": 1 + len(hits)/50, "timed_out": false,
		"_shards": map[string]any{"total": 1, "successful": 1, "skipped": 0, "failed": 0},
		"hits":    map[string]any{"total": map[string]any{"value": len(hits), "relation": "eq"}, "max_score": best, "hits": hits}})
}

func (d *DB) put(w http.ResponseWriter, r *http.Request, index, id string) {
	var doc json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&doc); err != nil {
		writeDBError(w, http.StatusBadRequest, "mapper_parsing_exception", "failed to parse the document")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.indices[index] == nil {
		d.indices[index] = map[string]json.RawMessage{}
		d.uuids[index] = indexUUID()
	}
	d.indices[index][id] = doc
	w.WriteHeader(http.StatusCreated)
	writeDB(w, map[string]any{"_index": index, "_id": id, "result": "created"})
}

func (d *DB) deleteIndex(w http.ResponseWriter, index string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.indices[index]; !ok {
		writeDBError(w, http.StatusNotFound, "index_not_found_exception", "no such index ["+index+"]")
		return
	}
	delete(d.indices, index)
	delete(d.uuids, index)
	writeDB(w, map[string]any{"acknowledged": true})
}

func (d *DB) setPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&in); err != nil || len(in.Password) < 6 {
		writeDBError(w, http.StatusBadRequest, "action_request_validation_exception", "passwords must be at least [6] characters long")
		return
	}
	d.mu.Lock()
	d.password = in.Password
	d.mu.Unlock()
	writeDB(w, map[string]any{})
}

// pretty marks a response the client asked to have indented (?pretty).
type pretty struct{ http.ResponseWriter }

func writeDB(w http.ResponseWriter, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	enc := json.NewEncoder(w)
	if _, ok := w.(pretty); ok {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(v)
}

func writeDBError(w http.ResponseWriter, status int, kind, reason string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	cause := map[string]any{"type": kind, "reason": reason}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"root_cause": []any{cause}, "type": kind, "reason": reason}, "status": status})
}
