package vendorsite

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Upload is one coverage report the site received.
type Upload struct {
	Time   time.Time `json:"time"`
	Remote string    `json:"remote"` // the sender's address
	// Query is what the uploader says about the build: token, build,
	// slug, commit and the rest it sends, one value each.
	Query map[string]string `json:"query"`
	Bytes int64             `json:"bytes"` // the report's size
}

// keep is how many uploads or catches an emulator remembers, the newest.
const keep = 500

// maxReport bounds what is read of a report; a bigger one is cut off.
const maxReport = 64 << 20

// serveUpload takes a coverage report and answers with where to see it,
// as the vendor's v2 endpoint did.
func (s *Site) serveUpload(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, io.LimitReader(r.Body, maxReport))
	up := Upload{Time: s.now().UTC(), Remote: remoteHost(r), Query: map[string]string{}, Bytes: n}
	for k, v := range r.URL.Query() {
		up.Query[k] = v[0]
	}
	s.mu.Lock()
	s.uploads = append(s.uploads, up)
	if len(s.uploads) > keep {
		s.uploads = append([]Upload(nil), s.uploads[len(s.uploads)-keep:]...)
	}
	s.mu.Unlock()
	labkit.Logger.Info("coverage upload", "remote", up.Remote, "slug", up.Query["slug"], "commit", up.Query["commit"], "bytes", n)
	// The real endpoint took a moment to queue a report.
	if !labkit.Sleep(r.Context(), 150*time.Millisecond) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, s.reportURL(up.Query["slug"], up.Query["commit"])+"\n")
}

// reportURL is where the vendor's app shows a commit's coverage.
func (s *Site) reportURL(slug, commit string) string {
	if slug == "" {
		slug = "unknown"
	}
	if commit == "" {
		commit = "unknown"
	}
	u := url.URL{Path: "/gh/" + strings.Trim(slug, "/") + "/commit/" + commit}
	return strings.TrimRight(s.cfg.Site, "/") + u.EscapedPath()
}

// remoteHost is a request's sender without its port.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
