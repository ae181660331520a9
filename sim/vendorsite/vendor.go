// Package vendorsite is the code-coverage vendor of a supply-chain lab: its
// website, which serves the bash uploader customers pipe into their CI,
// the docs that publish the uploader's checksum, a release image whose
// build left the vendor's storage key behind, and the endpoint coverage
// reports go to. The uploader itself lives in the vendor's object store,
// so whoever holds the release key can change what every customer runs.
// The package also holds the intruder's collector, the look-alike host a
// poisoned uploader sends the CI's environment to.
package vendorsite

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
)

// Version is the uploader release the site publishes.
const Version = "1.0.3"

// Bucket and Object are where the vendor's release pipeline puts the
// uploader, and where the website reads it from on every download.
const (
	Bucket = "coverlytics-uploader"
	Object = "bash"
)

// Config is what the website is made of.
type Config struct {
	Script  string             // the genuine uploader, as released
	Store   string             // the vendor's object store, http://address
	Release client.Credentials // the release pipeline's key to the store
	SimKey  string             // opens the platform's channel; none keeps it shut
	Site    string             // the site's public URL, as its docs print it
}

// Site is the vendor's website.
type Site struct {
	cfg      Config
	checksum string // SHA-256 of the released uploader, hex
	image    []byte // the release's docker-save archive
	mux      *http.ServeMux

	now   func() time.Time
	retry time.Duration // between tries to reach the store at start

	mu      sync.Mutex
	uploads []Upload
}

// New builds the site, its release image included.
func New(cfg Config) (*Site, error) {
	if cfg.Script == "" || cfg.Store == "" || cfg.Release.AccessKeyID == "" || cfg.Release.SecretAccessKey == "" {
		return nil, errors.New("vendor: the uploader, the store and the release key are all needed")
	}
	if cfg.Site == "" {
		cfg.Site = "http://uploader.coverlytics.example"
	}
	sum := sha256.Sum256([]byte(cfg.Script))
	s := &Site{cfg: cfg, checksum: hex.EncodeToString(sum[:]), now: time.Now, retry: time.Second}
	image, err := ReleaseImage(cfg.Script, cfg.Release, cfg.Store)
	if err != nil {
		return nil, err
	}
	s.image = image
	s.mux = s.routes()
	return s, nil
}

func (s *Site) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.serveDocs)
	m.HandleFunc("GET /releases", s.serveReleases)
	m.HandleFunc("GET /bash", s.serveUploader)
	m.HandleFunc("GET /downloads/"+ImageFile, s.serveImage)
	m.HandleFunc("POST /upload/v2", s.serveUpload)
	m.Handle("/_sim/", s.platformOnly(s.platformRoutes()))
	return m
}

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
