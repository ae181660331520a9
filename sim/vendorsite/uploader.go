package vendorsite

import (
	"errors"
	"net/http"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// originFetch is how long the CDN takes to fetch from its origin, as on
// a cache miss. It also keeps each download's connection open long enough
// for the CI runner's process telemetry, which polls, to see it.
const originFetch = 100 * time.Millisecond

// serveUploader serves the uploader the way the vendor's CDN did: the
// store's current object, fresh on every request.
func (s *Site) serveUploader(w http.ResponseWriter, r *http.Request) {
	script, err := s.current()
	if !labkit.Sleep(r.Context(), originFetch) {
		return
	}
	var refused originError
	switch {
	case errors.As(err, &refused) && refused.status < 500:
		http.Error(w, http.StatusText(refused.status), refused.status)
		return
	case err != nil:
		labkit.Logger.Warn("uploader unavailable", "err", err)
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(script)
}
