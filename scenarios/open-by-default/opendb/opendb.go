// Package opendb is Open by Default's vulnerable search database, run by
// its own host (sakimori-sim opendb).
package opendb

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// DB is a search database in the shape of an Elasticsearch node left
// open to the internet: no authentication, so anyone can read, delete and
// write, as the "Meow" bot did to thousands in 2020 and ransom gangs did
// in 2017. Setting the elastic user's password turns authentication on
// (the lab's stand-in for enabling the node's security feature).
type DB struct {
	mu       sync.Mutex
	indices  map[string]map[string]json.RawMessage // index → id → document
	password string
}

// New starts with the given indices of documents by id.
func New(seed map[string]map[string]json.RawMessage) *DB {
	if seed == nil {
		seed = map[string]map[string]json.RawMessage{}
	}
	return &DB{indices: seed}
}

func (d *DB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !d.allowed(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="security" charset="UTF-8"`)
		writeDBError(w, http.StatusUnauthorized, "security_exception", "missing authentication credentials for REST request ["+r.URL.Path+"]")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		writeDB(w, map[string]any{"name": "acme-search-01", "cluster_name": "acme-prod",
			"version": map[string]any{"number": "7.10.2", "build_flavor": "oss"}, "tagline": "You Know, for Search"})
	case r.URL.Path == "/_cat/indices" && r.Method == http.MethodGet:
		d.catIndices(w)
	case r.URL.Path == "/_security/user/elastic/_password" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		d.setPassword(w, r)
	case len(parts) == 2 && parts[1] == "_search":
		d.search(w, parts[0])
	case len(parts) == 3 && parts[1] == "_doc" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		d.put(w, r, parts[0], parts[2])
	case len(parts) == 1 && r.Method == http.MethodDelete:
		d.deleteIndex(w, parts[0])
	default:
		writeDBError(w, http.StatusBadRequest, "illegal_argument_exception", "no handler for "+r.Method+" "+r.URL.Path)
	}
}

func (d *DB) allowed(r *http.Request) bool {
	d.mu.Lock()
	pw := d.password
	d.mu.Unlock()
	if pw == "" {
		return true
	}
	user, pass, ok := r.BasicAuth()
	return ok && user == "elastic" && subtle.ConstantTimeCompare([]byte(pass), []byte(pw)) == 1
}

func (d *DB) catIndices(w http.ResponseWriter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	names := make([]string, 0, len(d.indices))
	for n := range d.indices {
		names = append(names, n)
	}
	sort.Strings(names)
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	for _, n := range names {
		fmt.Fprintf(w, "yellow open %-12s 1 1 %d 0\n", n, len(d.indices[n]))
	}
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
		hits = append(hits, map[string]any{"_index": index, "_id": id, "_source": docs[id]})
	}
	writeDB(w, map[string]any{"hits": map[string]any{"total": map[string]any{"value": len(hits), "relation": "eq"}, "hits": hits}})
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

func writeDB(w http.ResponseWriter, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	_ = json.NewEncoder(w).Encode(v)
}

func writeDBError(w http.ResponseWriter, status int, kind, reason string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": kind, "reason": reason}, "status": status})
}
