package xapi

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
)

// Settings is where an organisation's LRS is kept.
type Settings interface {
	Store
	PutLRS(ctx context.Context, org string, l LRS, now time.Time) error
	LRS(ctx context.Context, org string) (Destination, bool, error)
}

// Organisations says who runs an organisation (its org admins, range admins).
type Organisations interface {
	ManagedOrganisation(ctx context.Context, a cohorts.Actor, orgID string) (cohorts.Organisation, error)
}

// Service is what org admins do with their organisation's forwarding.
type Service struct {
	store  Settings
	orgs   Organisations
	outbox *Outbox
	audit  audit.Recorder
	now    func() time.Time
}

func NewService(store Settings, orgs Organisations, outbox *Outbox, rec audit.Recorder, now func() time.Time) *Service {
	return &Service{store: store, orgs: orgs, outbox: outbox, audit: rec, now: now}
}

var (
	errBadEndpoint    = fault.New(fault.Invalid, "xapi_bad_endpoint", "The LRS endpoint must be an http or https URL, without credentials, query or fragment.")
	errBadCredentials = fault.New(fault.Invalid, "xapi_bad_credentials", "The LRS credentials are incomplete: give a key and a secret (and a token URL for OAuth2).")
	errBadLanguage    = fault.New(fault.Invalid, "xapi_bad_language", "The language must be a short language tag, such as en or ja.")
	errNoLRS          = fault.New(fault.NotFound, "xapi_no_lrs", "This organisation forwards to no LRS.")
	errNoDeadLetter   = fault.New(fault.NotFound, "xapi_dead_letter_not_found", "No statement set aside has this id.")
	errLRSBusy        = fault.New(fault.Unavailable, "xapi_lrs_unavailable", "The LRS did not take the statement now (it asked to retry); it stays set aside.")
	errLRSUnreachable = fault.New(fault.Unavailable, "xapi_lrs_unreachable", "The LRS could not be reached; the statement stays set aside.")
)

// View is an organisation's LRS as shown to its admins: never the secret.
type View struct {
	Endpoint  string
	Auth      Auth
	Key       string
	TokenURL  string
	Language  string
	HasSecret bool
}

// Setting reads an organisation's LRS.
func (s *Service) Setting(ctx context.Context, a cohorts.Actor, org string) (View, bool, error) {
	if _, err := s.orgs.ManagedOrganisation(ctx, a, org); err != nil {
		return View{}, false, err
	}
	d, ok, err := s.store.LRS(ctx, org)
	if err != nil || !ok {
		return View{}, ok, err
	}
	l := d.LRS
	return View{Endpoint: l.Endpoint, Auth: l.Auth, Key: l.Key, TokenURL: l.TokenURL, Language: l.Language, HasSecret: l.Secret != ""}, true, nil
}

// Configure sets an organisation's LRS. An empty secret keeps the one
// stored. Nothing is stored when the configuration is refused.
func (s *Service) Configure(ctx context.Context, a cohorts.Actor, org string, l LRS) error {
	if _, err := s.orgs.ManagedOrganisation(ctx, a, org); err != nil {
		return err
	}
	l.Endpoint, l.Key = strings.TrimSpace(l.Endpoint), strings.TrimSpace(l.Key)
	if l.Secret == "" {
		if old, ok, err := s.store.LRS(ctx, org); err != nil {
			return err
		} else if ok {
			l.Secret = old.LRS.Secret
		}
	}
	if l.Language == "" {
		l.Language = "en"
	}
	if err := l.Check(); err != nil {
		if errors.Is(err, ErrBadEndpoint) {
			return errBadEndpoint
		}
		return errBadCredentials
	}
	if len(l.Language) > 35 || strings.TrimSpace(l.Language) != l.Language {
		// Only the length and spaces are checked: the LRS is the judge of
		// the tag, and a tag it refuses shows in the dead letters.
		return errBadLanguage
	}
	if err := s.store.PutLRS(ctx, org, l, s.now().UTC()); err != nil {
		return err
	}
	s.outbox.Forget(org)
	return s.audit.Record(ctx, audit.Entry{ActorID: a.UserID, ActorRole: string(a.Role), Action: audit.XAPILRSChange,
		TargetKind: "organisation", TargetID: org, Detail: map[string]string{"endpoint": l.Endpoint, "auth": string(l.Auth)}})
}

// DeadLetters lists what an organisation's LRS refused.
func (s *Service) DeadLetters(ctx context.Context, a cohorts.Actor, org string) ([]DeadLetter, error) {
	if _, err := s.orgs.ManagedOrganisation(ctx, a, org); err != nil {
		return nil, err
	}
	return s.store.DeadLetters(ctx, org)
}

// Replay sends a dead letter again and returns the LRS's reply: a 2xx
// removes it, a 4xx keeps it with the new reply.
func (s *Service) Replay(ctx context.Context, a cohorts.Actor, org, id string) (Reply, error) {
	if _, err := s.orgs.ManagedOrganisation(ctx, a, org); err != nil {
		return Reply{}, err
	}
	d, ok, err := s.store.LRS(ctx, org)
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return Reply{}, errNoLRS
	}
	reply, err := s.outbox.Replay(ctx, d, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Reply{}, errNoDeadLetter
	case errors.As(err, new(retryError)):
		return Reply{}, errLRSBusy
	case err != nil && reply.Status == 0 && ctx.Err() == nil:
		return Reply{}, fault.Wrap(errLRSUnreachable, err)
	case err != nil:
		return Reply{}, err
	}
	if rerr := s.audit.Record(ctx, audit.Entry{ActorID: a.UserID, ActorRole: string(a.Role), Action: audit.XAPIReplay,
		TargetKind: "organisation", TargetID: org, Detail: map[string]string{"record": id}}); rerr != nil {
		return reply, rerr
	}
	return reply, nil
}
