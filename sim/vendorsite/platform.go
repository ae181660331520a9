package vendorsite

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/sakimori/sakimori/sim/labkit"
)

// platformOnly opens the platform's channel to the lab's simulator key
// alone; without a key set, it stays shut.
func (s *Site) platformOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.SimKey == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get(labkit.SimKeyHeader)), []byte(s.cfg.SimKey)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// platformRoutes are the platform's channel:
//
//	GET    /_sim/uploads   the coverage uploads received, oldest first
func (s *Site) platformRoutes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /_sim/uploads", s.serveUploads)
	return m
}

func (s *Site) serveUploads(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	list := append([]Upload{}, s.uploads...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, list)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
