package cohorts

import (
	"context"
	"errors"
	"slices"
	"time"
)

// EventStore is what events need from storage.
type EventStore interface {
	CreateEvent(ctx context.Context, e Event) error
	Event(ctx context.Context, id string) (Event, error) // ErrEventNotFound
	UpdateEvent(ctx context.Context, e Event) error      // every settable field; ErrEventNotFound
	DeleteEvent(ctx context.Context, id string) error    // ErrEventNotFound
	// Events lists events by start, latest first, then id; see EventFilter.
	Events(ctx context.Context, f EventFilter) ([]Event, error)
}

// EventFilter picks events: with All, every one; otherwise the range-wide
// ones and those of the cohorts and organisations named.
type EventFilter struct {
	All             bool
	CohortIDs       []string
	OrganisationIDs []string
}

// UseEvents gives the service the store events are kept in. Without it
// events cannot be run.
func (s *Service) UseEvents(st EventStore) { s.events = st }

var errNoEvents = errors.New("cohorts: events are not set up (UseEvents)")

// CreateEvent runs an event for a cohort the actor manages, or, with no
// cohort, for the whole range, which only range admins may do.
func (s *Service) CreateEvent(ctx context.Context, a Actor, cohortID string, f EventFields) (Event, error) {
	if s.events == nil {
		return Event{}, errNoEvents
	}
	if cohortID == "" && !a.rangeAdmin() {
		return Event{}, errAdminsOnly
	}
	if cohortID != "" {
		c, err := s.managedCohort(ctx, s.store, a, cohortID)
		if err != nil {
			return Event{}, err
		}
		if c.Archived() {
			return Event{}, ErrCohortArchived
		}
	}
	f, err := f.clean(s.catalogue)
	if err != nil {
		return Event{}, err
	}
	e := Event{ID: newID(), CohortID: cohortID, CreatedBy: a.UserID, CreatedAt: s.now().UTC()}
	e.set(f)
	if err := s.events.CreateEvent(ctx, e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// CreateOrgEvent runs an event across an organisation the actor runs (its
// org admins, range admins): its board holds the trainees of every cohort
// of the organisation. To anyone outside it the organisation does not
// exist.
func (s *Service) CreateOrgEvent(ctx context.Context, a Actor, orgID string, f EventFields) (Event, error) {
	if s.events == nil {
		return Event{}, errNoEvents
	}
	if _, err := s.managedOrg(ctx, a, orgID); err != nil {
		return Event{}, err
	}
	f, err := f.clean(s.catalogue)
	if err != nil {
		return Event{}, err
	}
	e := Event{ID: newID(), OrganisationID: orgID, CreatedBy: a.UserID, CreatedAt: s.now().UTC()}
	e.set(f)
	if err := s.events.CreateEvent(ctx, e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// eventFor loads an event and says what the actor may do with it. A
// range-wide event is seen by everyone and managed by range admins; a
// cohort's follows the cohort; an organisation's is managed by its org
// admins and seen by its members and the members of its cohorts. One the
// actor has no part in is not found.
func (s *Service) eventFor(ctx context.Context, a Actor, id string) (Event, access, error) {
	if s.events == nil {
		return Event{}, noAccess, errNoEvents
	}
	e, err := s.events.Event(ctx, id)
	if err != nil {
		return Event{}, noAccess, err
	}
	if e.RangeWide() {
		if a.rangeAdmin() {
			return e, manages, nil
		}
		return e, sees, nil
	}
	if e.OrganisationID != "" {
		acc, err := s.orgEventAccess(ctx, a, e.OrganisationID)
		if err != nil {
			return Event{}, noAccess, err
		}
		return e, acc, nil
	}
	_, acc, err := s.cohortFor(ctx, s.store, a, e.CohortID)
	if errors.Is(err, ErrCohortNotFound) {
		return Event{}, noAccess, ErrEventNotFound
	}
	if err != nil {
		return Event{}, noAccess, err
	}
	return e, acc, nil
}

// orgEventAccess is what the actor may do with an organisation's event:
// its org admins and range admins run it; its other members, and the
// members of its cohorts, play or watch it; anyone else is told there is
// no such event.
func (s *Service) orgEventAccess(ctx context.Context, a Actor, orgID string) (access, error) {
	if a.rangeAdmin() {
		return manages, nil
	}
	role, ok, err := s.store.OrgRole(ctx, orgID, a.UserID)
	if err != nil {
		return noAccess, err
	}
	if ok && role == OrgAdmin {
		return manages, nil
	}
	if ok {
		return sees, nil
	}
	in, err := s.store.Cohorts(ctx, CohortFilter{MemberID: a.UserID, IncludeArchived: true})
	if err != nil {
		return noAccess, err
	}
	if slices.ContainsFunc(in, func(c Cohort) bool { return c.OrganisationID == orgID }) {
		return sees, nil
	}
	return noAccess, ErrEventNotFound
}

func (s *Service) managedEvent(ctx context.Context, a Actor, id string) (Event, error) {
	e, acc, err := s.eventFor(ctx, a, id)
	if err != nil {
		return Event{}, err
	}
	if acc != manages {
		return Event{}, ErrNotAllowed
	}
	return e, nil
}

// Event shows one event to anyone who plays or manages it; manages says
// which.
func (s *Service) Event(ctx context.Context, a Actor, id string) (e Event, manage bool, err error) {
	e, acc, err := s.eventFor(ctx, a, id)
	return e, acc == manages, err
}

// UpdateEvent changes an event's fields. Records already made stay as they
// are; the board is read again through the new window.
func (s *Service) UpdateEvent(ctx context.Context, a Actor, id string, f EventFields) (Event, error) {
	e, err := s.managedEvent(ctx, a, id)
	if err != nil {
		return Event{}, err
	}
	if f, err = f.clean(s.catalogue); err != nil {
		return Event{}, err
	}
	e.set(f)
	if err := s.events.UpdateEvent(ctx, e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// DeleteEvent removes an event; the records of what its players did stay.
func (s *Service) DeleteEvent(ctx context.Context, a Actor, id string) (Event, error) {
	e, err := s.managedEvent(ctx, a, id)
	if err != nil {
		return Event{}, err
	}
	return e, s.events.DeleteEvent(ctx, id)
}

// ListedEvent is an event in a list, with whether the actor runs it.
type ListedEvent struct {
	Event
	Manage bool
}

// Events lists the events the actor plays or manages: range admins see
// every one; others the range-wide ones and those of their cohorts.
func (s *Service) Events(ctx context.Context, a Actor) ([]ListedEvent, error) {
	if s.events == nil {
		return nil, errNoEvents
	}
	var list []Event
	managed := map[string]bool{}
	if a.rangeAdmin() {
		all, err := s.events.Events(ctx, EventFilter{All: true})
		if err != nil {
			return nil, err
		}
		list = all
	} else {
		member, err := s.store.Cohorts(ctx, CohortFilter{MemberID: a.UserID, IncludeArchived: true})
		if err != nil {
			return nil, err
		}
		runs, err := s.store.Cohorts(ctx, CohortFilter{ManagedBy: a.UserID, IncludeArchived: true})
		if err != nil {
			return nil, err
		}
		var ids, orgIDs []string
		for _, c := range runs {
			managed[c.ID] = true
		}
		for _, c := range append(member, runs...) {
			ids = append(ids, c.ID)
			orgIDs = append(orgIDs, c.OrganisationID)
		}
		orgs, err := s.store.Organisations(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			orgIDs = append(orgIDs, o.ID)
			if role, ok, err := s.store.OrgRole(ctx, o.ID, a.UserID); err != nil {
				return nil, err
			} else if ok && role == OrgAdmin {
				managed[o.ID] = true
			}
		}
		slices.Sort(orgIDs)
		f := EventFilter{CohortIDs: ids, OrganisationIDs: slices.Compact(orgIDs)}
		if list, err = s.events.Events(ctx, f); err != nil {
			return nil, err
		}
	}
	out := make([]ListedEvent, len(list))
	for i, e := range list {
		run := managed[e.CohortID] || managed[e.OrganisationID]
		out[i] = ListedEvent{Event: e, Manage: a.rangeAdmin() || run}
	}
	return out, nil
}

// CohortBoard opens a cohort's scoreboard to anyone with a part in the
// cohort; live says whether they manage it.
func (s *Service) CohortBoard(ctx context.Context, a Actor, cohortID string) (c Cohort, live bool, err error) {
	c, acc, err := s.cohortFor(ctx, s.store, a, cohortID)
	return c, acc == manages, err
}

// EventAt finds the event a trainee's solve of a scenario at a time falls
// in: a running event holding the scenario, of a cohort they are an active
// trainee of, of that cohort's organisation, or range-wide. A cohort's
// event comes before an organisation's, that before a range-wide one, then
// the latest to start. ok is false when there is none.
func (s *Service) EventAt(ctx context.Context, traineeID, scenarioID string, at time.Time) (Event, bool, error) {
	if s.events == nil {
		return Event{}, false, nil
	}
	member, err := s.store.Cohorts(ctx, CohortFilter{MemberID: traineeID})
	if err != nil {
		return Event{}, false, err
	}
	var ids, orgIDs []string
	for _, c := range member {
		if role, ok, err := s.store.CohortRole(ctx, c.ID, traineeID); err != nil {
			return Event{}, false, err
		} else if ok && role == CohortMember {
			ids, orgIDs = append(ids, c.ID), append(orgIDs, c.OrganisationID)
		}
	}
	list, err := s.events.Events(ctx, EventFilter{CohortIDs: ids, OrganisationIDs: orgIDs})
	if err != nil {
		return Event{}, false, err
	}
	var best Event
	found := false
	for _, e := range list { // latest start first
		if !slices.Contains(e.Scenarios, scenarioID) || at.Before(e.StartsAt) || !at.Before(e.EndsAt) {
			continue
		}
		if !found || narrowness(e) > narrowness(best) {
			best, found = e, true
		}
	}
	return best, found, nil
}

// narrowness ranks an event's players: a cohort, an organisation, the range.
func narrowness(e Event) int {
	switch {
	case e.CohortID != "":
		return 2
	case e.OrganisationID != "":
		return 1
	}
	return 0
}
