package cloud

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sakimori/sakimori/sim/aws/trail"
	"github.com/sakimori/sakimori/sim/gitrepo"
)

// Server is one lab's emulated cloud endpoint.
type Server struct {
	acct             *Account
	events           *trail.Trail
	backend          gofakes3.Backend
	objects          http.Handler
	simKey           string
	trailBucket      string
	addresses        map[netip.Addr]netip.Addr
	instanceSessions map[string]*AccessKey
	clock            func() time.Time
}

// New builds the account of w. simKey authenticates the instance hosts'
// metadata services on the simulator's own channel.
func New(w *World, simKey string) (*Server, error) {
	s := &Server{
		events: trail.New(), simKey: simKey, trailBucket: w.TrailBucket,
		addresses: map[netip.Addr]netip.Addr{}, instanceSessions: map[string]*AccessKey{}, clock: time.Now,
	}
	s.acct = newAccount(w, s.now())
	for from, to := range w.Addresses {
		s.addresses[netip.MustParseAddr(from)] = netip.MustParseAddr(to)
	}
	backend := s3mem.New()
	s.backend = backend
	s.objects = gofakes3.New(backend, gofakes3.WithAutoBucket(false), gofakes3.WithTimeSkewLimit(0)).Server()
	buckets := w.Buckets
	if w.TrailBucket != "" {
		buckets = append(buckets, BucketDef{Name: w.TrailBucket})
		s.acct.Buckets[w.TrailBucket] = &Bucket{}
	}
	for _, b := range buckets {
		if err := backend.CreateBucket(b.Name); err != nil {
			return nil, err
		}
		objects := b.Objects
		if b.GitFolder != "" {
			objects = append(objects, gitObjects(b)...)
		}
		for _, o := range objects {
			if _, err := backend.PutObject(b.Name, o.Key, map[string]string{"Content-Type": contentType(o.Key)},
				strings.NewReader(o.Body), int64(len(o.Body)), nil); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// Run delivers the trail to its bucket until ctx ends.
func (s *Server) Run(ctx context.Context) { s.deliver(ctx) }

// Trail is the lab's audit trail.
func (s *Server) Trail() *trail.Trail { return s.events }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		s.serveInternal(w, r)
	case r.Header.Get("X-Amz-Target") != "":
		s.serveJSON(w, r)
	case r.URL.Path == "/" && (r.Method == http.MethodPost || r.URL.Query().Get("Action") != ""):
		s.serveQuery(w, r)
	default:
		s.serveS3(w, r)
	}
}

// shownAddress is a lab host's address as the cloud presents it.
func (s *Server) shownAddress(labAddr string) (string, bool) {
	a, err := netip.ParseAddr(labAddr)
	if err != nil {
		return "", false
	}
	if shown, ok := s.addresses[a]; ok {
		return shown.String(), true
	}
	return a.String(), true
}

func gitObjects(b BucketDef) []ObjectDef {
	changes := make([]gitrepo.Change, len(b.History))
	for i, c := range b.History {
		changes[i] = gitrepo.Change{Author: c.Author, When: c.When, Message: c.Message, Files: c.Files}
	}
	var out []ObjectDef
	for path, data := range gitrepo.Build(changes).Files() {
		out = append(out, ObjectDef{Key: b.GitFolder + path, Body: string(data)})
	}
	return out
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".html"):
		return "text/html"
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	}
	return "text/plain"
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

func hexID(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func itoa(i int) string { return strconv.Itoa(i) }
