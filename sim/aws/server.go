// Package aws is the emulated AWS cloud of one lab: identity (STS, IAM),
// compute control (the EC2 calls the labs teach), object storage (S3, on
// gofakes3) and the audit trail (CloudTrail), behind one HTTP endpoint
// that the AWS CLI and SDKs reach with --endpoint-url. Every call is
// signed and checked (SigV4), authorised by IAM policy and recorded the
// way CloudTrail records it.
//
// Each service is a package of its own (sim/aws/sts, iam, ec2, s3,
// trail) working on one shared account (sim/aws/account); this package
// routes requests to them by protocol and serves the simulator's own
// channel (internal.go).
package aws

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/s3"
	"github.com/sakimori/sakimori/sim/aws/trail"
)

// Server is one lab's emulated cloud endpoint.
type Server struct {
	acct     *account.Account
	objects  *s3.Service
	delivery *trail.Delivery
	trail    *trailState
}

// New builds the account of w. simKey authenticates the instance hosts'
// metadata services and the platform on the simulator's own channel.
func New(w *account.World, simKey string) (*Server, error) {
	s := &Server{acct: account.New(w, trail.New(), time.Now)}
	s.acct.SetSimKey(simKey)
	objects, err := s3.New(s.acct, w)
	if err != nil {
		return nil, err
	}
	s.objects = objects
	s.delivery = &trail.Delivery{Trail: s.acct.Trail, Account: s.acct.ID, Region: s.acct.Region, Put: objects.Put, Clock: s.acct.Now}
	s.delivery.SetBucket(w.TrailBucket)
	// The world's trail bucket is the trail's; a world without one has no
	// trail until someone creates it.
	s.trail = &trailState{exists: w.TrailBucket != "", logging: w.TrailBucket != "",
		selectors: defaultSelectors(), delivery: s.delivery, region: s.acct.Region, id: s.acct.ID, startedAt: s.acct.Now()}
	s.acct.Trail.Gate(s.trail.takes)
	return s, nil
}

// Run delivers the trail to its bucket until ctx ends.
func (s *Server) Run(ctx context.Context) { s.delivery.Run(ctx) }

// Trail is the lab's audit trail.
func (s *Server) Trail() *trail.Trail { return s.acct.Trail }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		s.serveInternal(w, r)
	case r.Header.Get("X-Amz-Target") != "":
		s.serveJSON(w, r)
	case r.URL.Path == "/" && (r.Method == http.MethodPost || r.URL.Query().Get("Action") != ""):
		s.serveQuery(w, r)
	default:
		s.objects.ServeHTTP(w, r)
	}
}
