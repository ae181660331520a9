package cohorts

import (
	"context"
)

// CreateCohort makes a cohort in an organisation. Range admins, the
// organisation's admins and its instructors may; an instructor who makes
// one teaches it.
func (s *Service) CreateCohort(ctx context.Context, a Actor, orgID string, f CohortFields) (Cohort, error) {
	_, role, err := s.orgFor(ctx, s.store, a, orgID)
	if err != nil {
		return Cohort{}, err
	}
	if role == OrgMember {
		return Cohort{}, ErrNotAllowed
	}
	f, err = f.clean()
	if err != nil {
		return Cohort{}, err
	}
	now := s.now().UTC()
	c := Cohort{
		ID: newID(), OrganisationID: orgID, Name: f.Name, StartsAt: f.StartsAt, EndsAt: f.EndsAt,
		CapacityReserve: f.CapacityReserve, CreatedAt: now,
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		c.JoinCode = newJoinCode()
		if err := tx.CreateCohort(ctx, c); err != nil {
			return err
		}
		if role != OrgInstructor {
			return nil
		}
		return tx.AddMembers(ctx, []Membership{{
			ID: newID(), CohortID: c.ID, Person: Person{ID: a.UserID}, Role: CohortInstructor, Via: ViaAdded, JoinedAt: now,
		}})
	})
	if err != nil {
		return Cohort{}, err
	}
	return c, nil
}

// Cohorts lists what the actor runs: every cohort for a range admin
// (or one organisation's, with orgID set), and otherwise the cohorts of the
// organisations they are org admin of and those they teach.
func (s *Service) Cohorts(ctx context.Context, a Actor, orgID string, archived bool) ([]Cohort, error) {
	f := CohortFilter{OrganisationID: orgID, IncludeArchived: archived}
	if !a.rangeAdmin() {
		f.ManagedBy = a.UserID
	}
	return s.store.Cohorts(ctx, f)
}

// CohortView is a cohort as one person sees it: members do not see the
// join code.
type CohortView struct {
	Cohort
	Manages bool
}

// Cohort returns one cohort the actor has a part in.
func (s *Service) Cohort(ctx context.Context, a Actor, id string) (CohortView, error) {
	c, acc, err := s.cohortFor(ctx, s.store, a, id)
	if err != nil {
		return CohortView{}, err
	}
	if acc != manages {
		c.JoinCode = ""
	}
	return CohortView{Cohort: c, Manages: acc == manages}, nil
}

// UpdateCohort sets a cohort's fields.
func (s *Service) UpdateCohort(ctx context.Context, a Actor, id string, f CohortFields) (Cohort, error) {
	f, err := f.clean()
	if err != nil {
		return Cohort{}, err
	}
	var out Cohort
	err = s.store.InTx(ctx, func(tx Store) error {
		c, err := s.managedCohort(ctx, tx, a, id)
		if err != nil {
			return err
		}
		c.Name, c.StartsAt, c.EndsAt, c.CapacityReserve = f.Name, f.StartsAt, f.EndsAt, f.CapacityReserve
		out = c
		return tx.UpdateCohort(ctx, c)
	})
	return out, err
}

// ArchiveCohort puts a cohort away: it keeps its members and records, but
// its join code stops working and nobody new can be added. Archiving twice
// is no error.
func (s *Service) ArchiveCohort(ctx context.Context, a Actor, id string) (Cohort, error) {
	var out Cohort
	err := s.store.InTx(ctx, func(tx Store) error {
		c, err := s.managedCohort(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if c.ArchivedAt == nil {
			at := s.now().UTC()
			c.ArchivedAt = &at
		}
		out = c
		return tx.UpdateCohort(ctx, c)
	})
	return out, err
}

// MyCohort is a cohort the actor is in, with their part in it.
type MyCohort struct {
	Cohort
	Role CohortRole
}

// MyCohorts lists the cohorts the actor is active in, archived ones
// included, after taking up any roster invitation they have registered with.
func (s *Service) MyCohorts(ctx context.Context, a Actor, email string) ([]MyCohort, error) {
	if err := s.settle(ctx, "", email); err != nil {
		return nil, err
	}
	list, err := s.store.Cohorts(ctx, CohortFilter{MemberID: a.UserID, IncludeArchived: true})
	if err != nil {
		return nil, err
	}
	out := make([]MyCohort, 0, len(list))
	for _, c := range list {
		role, _, err := s.store.CohortRole(ctx, c.ID, a.UserID)
		if err != nil {
			return nil, err
		}
		if role != CohortInstructor {
			c.JoinCode = ""
		}
		out = append(out, MyCohort{Cohort: c, Role: role})
	}
	return out, nil
}
