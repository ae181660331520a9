package partners

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
)

// Classes is what partners reads and changes of organisations and cohorts.
// The partner's calls are made as a range admin would make them, after
// this service has bounded them to the token's organisation.
type Classes interface {
	ManagedOrganisation(ctx context.Context, a cohorts.Actor, orgID string) (cohorts.Organisation, error)
	Cohorts(ctx context.Context, a cohorts.Actor, orgID string, archived bool) ([]cohorts.Cohort, error)
	Cohort(ctx context.Context, a cohorts.Actor, id string) (cohorts.CohortView, error)
	Members(ctx context.Context, a cohorts.Actor, cohortID string) ([]cohorts.Membership, []cohorts.Invitation, error)
	AddMember(ctx context.Context, a cohorts.Actor, cohortID, email string, role cohorts.CohortRole) (cohorts.Membership, error)
	RemoveMember(ctx context.Context, a cohorts.Actor, cohortID, userID string) error
	Assignments(ctx context.Context, a cohorts.Actor, cohortID string) ([]cohorts.Assignment, error)
	AssignmentStatus(ctx context.Context, a cohorts.Actor, id string) (cohorts.Assignment, []cohorts.Progress, error)
}

// AuditLog is the audit log as partners uses it: token changes are
// recorded, and an organisation's admins read its partner calls back.
type AuditLog interface {
	audit.Recorder
	Read(ctx context.Context, f audit.Filter) (audit.Page, error)
}

// Service is the partner side of the range: tokens, and every read a
// token makes, bounded to its organisation and its scopes.
type Service struct {
	store   Store
	classes Classes
	audit   AuditLog
	cursors cursors
	now     func() time.Time
}

// NewService makes the partners service. cursorKey signs feed cursors (at
// least 32 bytes); now may be nil for the wall clock.
func NewService(store Store, classes Classes, log AuditLog, cursorKey []byte, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, classes: classes, audit: log, cursors: cursors{key: cursorKey}, now: now}
}

// asPartner is the actor partner calls reach cohorts as. It is used only
// after the cohort or assignment was checked to be the token's
// organisation's.
var asPartner = cohorts.Actor{Role: accounts.RoleAdmin}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// allow refuses a token without scope s.
func allow(t Token, s Scope) error {
	if !t.Has(s) {
		return ErrScopeMissing
	}
	return nil
}
