package lti

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/httprc/v3"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/sakimori/sakimori/accounts"
)

// Accounts is what lti needs of people's accounts.
type Accounts interface {
	User(ctx context.Context, id string) (accounts.User, error)
	CreateExternalUser(ctx context.Context, in accounts.ExternalUser) (accounts.User, error)
	RaiseRole(ctx context.Context, u accounts.User, to accounts.Role) (accounts.User, error)
}

// Classes is what lti needs of cohorts: a class for a course, members in
// it, and an assignment's progress.
type Classes interface {
	// OpenCohort makes a cohort of the organisation for a course.
	OpenCohort(ctx context.Context, orgID, title, instructorID string) (cohortID string, err error)
	// Enrol makes the person a member of the cohort (an instructor one
	// if instructor), or leaves them be if they are one.
	Enrol(ctx context.Context, cohortID, userID string, instructor bool) error
	// AssignmentIn says whether the assignment belongs to the cohort.
	AssignmentIn(ctx context.Context, cohortID, assignmentID string) (title string, ok bool, err error)
	// Progress is each member's objectives solved of required.
	Progress(ctx context.Context, assignmentID string) ([]Score, error)
}

// Score is one member's progress in an assignment.
type Score struct {
	UserID   string
	Solved   int
	Required int
	Done     bool
}

// Service is the LTI tool.
type Service struct {
	store    Store
	accounts Accounts
	classes  Classes
	sealer   *accounts.Sealer
	base     string // the range's public URL
	grace    time.Duration
	http     *http.Client
	jwks     *jwk.Cache
	now      func() time.Time
	// changed wakes Run when a trainee's work changes; it holds one
	// wake-up, so a burst of solves makes one publishing pass.
	changed chan struct{}
	// publishing makes one pass at a time send grades: a pass asked for
	// by an admin waits for the one a solve started, and then finds the
	// grade already sent rather than sending it twice.
	publishing sync.Mutex
}

// Options configure the service.
type Options struct {
	PublicURL string
	SealKey   []byte        // 32 bytes; seals the private keys
	KeyGrace  time.Duration // how long a retired key is still published
	HTTP      *http.Client  // for platforms' keys and AGS; nil: a client with a timeout
	Now       func() time.Time
}

// NewService makes the tool. ctx bounds the platform key cache's refreshes.
func NewService(ctx context.Context, st Store, acc Accounts, classes Classes, o Options) (*Service, error) {
	sealer, err := accounts.NewSealer(o.SealKey)
	if err != nil {
		return nil, err
	}
	hc := o.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	if o.KeyGrace <= 0 {
		o.KeyGrace = 7 * 24 * time.Hour
	}
	cache, err := jwk.NewCache(ctx, httprc.NewClient(httprc.WithHTTPClient(hc)))
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: st, accounts: acc, classes: classes, sealer: sealer, base: o.PublicURL, grace: o.KeyGrace,
		http: hc, jwks: cache, now: o.Now, changed: make(chan struct{}, 1)}, nil
}

// URLs the platform is told: where logins start, launches land, keys are.
func (s *Service) LoginURL() string  { return s.base + "/api/v1/lti/login" }
func (s *Service) LaunchURL() string { return s.base + "/api/v1/lti/launch" }
func (s *Service) JWKSURL() string   { return s.base + "/api/v1/lti/jwks" }
