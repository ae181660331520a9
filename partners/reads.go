package partners

import (
	"context"

	"github.com/sakimori/sakimori/cohorts"
)

// cohort loads a cohort of the token's organisation. Another
// organisation's cohort is not found, as one that does not exist.
func (s *Service) cohort(ctx context.Context, t Token, id string) (cohorts.Cohort, error) {
	v, err := s.classes.Cohort(ctx, asPartner, id)
	if err != nil {
		return cohorts.Cohort{}, err
	}
	if v.OrganisationID != t.OrganisationID {
		return cohorts.Cohort{}, cohorts.ErrCohortNotFound
	}
	v.JoinCode = "" // a partner adds people through the API, not the code
	return v.Cohort, nil
}

// Cohorts lists the organisation's cohorts, archived ones included.
func (s *Service) Cohorts(ctx context.Context, t Token) ([]cohorts.Cohort, error) {
	if err := allow(t, ReadRoster); err != nil {
		return nil, err
	}
	list, err := s.classes.Cohorts(ctx, asPartner, t.OrganisationID, true)
	for i := range list {
		list[i].JoinCode = ""
	}
	return list, err
}

// Cohort returns one of the organisation's cohorts.
func (s *Service) Cohort(ctx context.Context, t Token, id string) (cohorts.Cohort, error) {
	if err := allow(t, ReadRoster); err != nil {
		return cohorts.Cohort{}, err
	}
	return s.cohort(ctx, t, id)
}

// Members lists a cohort's active members.
func (s *Service) Members(ctx context.Context, t Token, cohortID string) ([]cohorts.Membership, error) {
	if err := allow(t, ReadRoster); err != nil {
		return nil, err
	}
	if _, err := s.cohort(ctx, t, cohortID); err != nil {
		return nil, err
	}
	list, _, err := s.classes.Members(ctx, asPartner, cohortID)
	return list, err
}

// AddMember adds a person with an account to a cohort as a trainee.
func (s *Service) AddMember(ctx context.Context, t Token, cohortID, email string) (cohorts.Membership, error) {
	if err := allow(t, WriteRoster); err != nil {
		return cohorts.Membership{}, err
	}
	if _, err := s.cohort(ctx, t, cohortID); err != nil {
		return cohorts.Membership{}, err
	}
	return s.classes.AddMember(ctx, asPartner, cohortID, email, cohorts.CohortMember)
}

// RemoveMember takes a person out of a cohort; their work there stays.
func (s *Service) RemoveMember(ctx context.Context, t Token, cohortID, userID string) error {
	if err := allow(t, WriteRoster); err != nil {
		return err
	}
	if _, err := s.cohort(ctx, t, cohortID); err != nil {
		return err
	}
	return s.classes.RemoveMember(ctx, asPartner, cohortID, userID)
}

// Assignments lists a cohort's assignments.
func (s *Service) Assignments(ctx context.Context, t Token, cohortID string) ([]cohorts.Assignment, error) {
	if err := allow(t, ReadRoster); err != nil {
		return nil, err
	}
	if _, err := s.cohort(ctx, t, cohortID); err != nil {
		return nil, err
	}
	return s.classes.Assignments(ctx, asPartner, cohortID)
}

// AssignmentStatus is where each trainee of the cohort stands with one of
// its assignments.
func (s *Service) AssignmentStatus(ctx context.Context, t Token, id string) (cohorts.Assignment, []cohorts.Progress, error) {
	if err := allow(t, ReadProgress); err != nil {
		return cohorts.Assignment{}, nil, err
	}
	as, list, err := s.classes.AssignmentStatus(ctx, asPartner, id)
	if err != nil {
		return cohorts.Assignment{}, nil, err
	}
	if _, err := s.cohort(ctx, t, as.CohortID); err != nil {
		return cohorts.Assignment{}, nil, cohorts.ErrAssignmentNotFound
	}
	return as, list, nil
}

// TraineeRecords is the trainee's work in the organisation's cohorts, for
// their progress: work done elsewhere on the range is not the partner's.
func (s *Service) TraineeRecords(ctx context.Context, t Token, traineeID string) ([]Record, error) {
	if err := allow(t, ReadProgress); err != nil {
		return nil, err
	}
	ok, err := s.store.InOrganisation(ctx, t.OrganisationID, traineeID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrTraineeNotFound
	}
	return s.store.TraineeRecords(ctx, t.OrganisationID, traineeID)
}

// CohortSummary is a cohort's work in sum.
type CohortSummary struct {
	Cohort cohorts.Cohort
	CohortTotals
}

// CohortSummary adds up a cohort's work.
func (s *Service) CohortSummary(ctx context.Context, t Token, cohortID string) (CohortSummary, error) {
	if err := allow(t, ReadProgress); err != nil {
		return CohortSummary{}, err
	}
	c, err := s.cohort(ctx, t, cohortID)
	if err != nil {
		return CohortSummary{}, err
	}
	totals, err := s.store.CohortTotals(ctx, cohortID)
	return CohortSummary{Cohort: c, CohortTotals: totals}, err
}
