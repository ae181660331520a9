package partners

import (
	"context"

	"github.com/sakimori/sakimori/cohorts"
)

// EachCohortRecord streams one of the organisation's cohorts' records,
// the work its trainees did while members, oldest first: a cohort's
// transcripts and its archive are read from it.
func (s *Service) EachCohortRecord(ctx context.Context, t Token, cohortID string, fn func(Record) error) error {
	if err := allow(t, ReadRecords); err != nil {
		return err
	}
	if _, err := s.cohort(ctx, t, cohortID); err != nil {
		return err
	}
	return s.store.EachRecord(ctx, cohortID, fn)
}

// EachCohortSolve is who solved what in the cohort (see Store.EachSolve):
// a cohort's competency view needs no more.
func (s *Service) EachCohortSolve(ctx context.Context, t Token, cohortID string, fn func(Record) error) error {
	if err := allow(t, ReadRecords); err != nil {
		return err
	}
	if _, err := s.cohort(ctx, t, cohortID); err != nil {
		return err
	}
	return s.store.EachSolve(ctx, cohortID, fn)
}

// EachSolveOfCohort is EachCohortSolve for the range's own staff, who the
// caller has checked manage the cohort.
func (s *Service) EachSolveOfCohort(ctx context.Context, cohortID string, fn func(Record) error) error {
	return s.store.EachSolve(ctx, cohortID, fn)
}

// EachRecordOfCohort is EachCohortRecord for the range's own staff. The
// caller has checked that they manage the cohort: no token bounds it.
func (s *Service) EachRecordOfCohort(ctx context.Context, cohortID string, fn func(Record) error) error {
	return s.store.EachRecord(ctx, cohortID, fn)
}

// CohortMembers is a cohort of the organisation and its members, for a
// token that may read both its roster and its records.
func (s *Service) CohortMembers(ctx context.Context, t Token, cohortID string) (cohorts.Cohort, []cohorts.Membership, error) {
	for _, need := range []Scope{ReadRoster, ReadProgress, ReadRecords} {
		if err := allow(t, need); err != nil {
			return cohorts.Cohort{}, nil, err
		}
	}
	c, err := s.cohort(ctx, t, cohortID)
	if err != nil {
		return cohorts.Cohort{}, nil, err
	}
	list, _, err := s.classes.Members(ctx, asPartner, cohortID)
	return c, list, err
}
