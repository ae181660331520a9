package cohorts

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// Inviter makes invites for people a roster names who have no account yet.
type Inviter interface {
	PrepareInvite(inviter accounts.User, in accounts.NewInvite) (accounts.Invite, string, error)
}

// Service is the cohorts domain: every read and change of organisations,
// cohorts and their members goes through it, with the caller's rights
// checked here.
type Service struct {
	store   Store
	inviter Inviter
	now     func() time.Time

	catalogue Scenarios // see UseCoursework
	activity  Activity
	events    EventStore // see UseEvents
}

// NewService makes the cohorts service; now may be nil for the wall clock.
func NewService(store Store, inviter Inviter, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, inviter: inviter, now: now}
}

// Actor is the signed-in person a call is made for.
type Actor struct {
	UserID string
	Role   accounts.Role
}

func (a Actor) rangeAdmin() bool { return a.Role == accounts.RoleAdmin }

// access is what an actor may do with one cohort.
type access int

const (
	noAccess access = iota
	sees            // a member: sees the cohort, not its roster or code
	manages         // its instructors, its organisation's admins, range admins
)

var errAdminsOnly = fault.New(fault.Forbidden, "admins_only", "Only range admins can do this.")

// cohortFor loads a cohort and says what the actor may do with it. A cohort
// the actor has no part in is not found, whoever holds it.
func (s *Service) cohortFor(ctx context.Context, st Store, a Actor, id string) (Cohort, access, error) {
	c, err := st.Cohort(ctx, id)
	if err != nil {
		return Cohort{}, noAccess, err
	}
	if a.rangeAdmin() {
		return c, manages, nil
	}
	orgRole, ok, err := st.OrgRole(ctx, c.OrganisationID, a.UserID)
	if err != nil {
		return Cohort{}, noAccess, err
	}
	if ok && orgRole == OrgAdmin {
		return c, manages, nil
	}
	role, ok, err := st.CohortRole(ctx, id, a.UserID)
	if err != nil {
		return Cohort{}, noAccess, err
	}
	switch {
	case ok && role == CohortInstructor:
		return c, manages, nil
	case ok:
		return c, sees, nil
	}
	return Cohort{}, noAccess, ErrCohortNotFound
}

// managedCohort is cohortFor for changes: members get ErrNotAllowed.
func (s *Service) managedCohort(ctx context.Context, st Store, a Actor, id string) (Cohort, error) {
	c, acc, err := s.cohortFor(ctx, st, a, id)
	if err != nil {
		return Cohort{}, err
	}
	if acc != manages {
		return Cohort{}, ErrNotAllowed
	}
	return c, nil
}

// orgFor loads an organisation the actor belongs to (any range admin
// belongs to all), with their role in it.
func (s *Service) orgFor(ctx context.Context, st Store, a Actor, id string) (Organisation, OrgRole, error) {
	o, err := st.Organisation(ctx, id)
	if err != nil {
		return Organisation{}, "", err
	}
	if a.rangeAdmin() {
		return o, OrgAdmin, nil
	}
	role, ok, err := st.OrgRole(ctx, id, a.UserID)
	if err != nil {
		return Organisation{}, "", err
	}
	if !ok {
		return Organisation{}, "", ErrOrganisationNotFound
	}
	return o, role, nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
