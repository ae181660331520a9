package cohorts

import (
	"context"
	"time"
)

// Activity is what assignment status needs from labs and scoring.
type Activity interface {
	// Launched reports whether the trainee launched a lab of the scenario
	// at or after since.
	Launched(ctx context.Context, traineeID, scenarioID string, since time.Time) (bool, error)
	// Solved maps the objectives the trainee has solved in the scenario to
	// when they solved each.
	Solved(ctx context.Context, traineeID, scenarioID string) (map[string]time.Time, error)
}

// UseCoursework gives the service the catalogue and activity assignments
// are checked and followed against. Without them assignments cannot be set.
func (s *Service) UseCoursework(catalogue Scenarios, activity Activity) {
	s.catalogue, s.activity = catalogue, activity
}

// CreateAssignment sets coursework for a cohort the actor manages.
func (s *Service) CreateAssignment(ctx context.Context, a Actor, cohortID string, f AssignmentFields) (Assignment, error) {
	c, err := s.managedCohort(ctx, s.store, a, cohortID)
	if err != nil {
		return Assignment{}, err
	}
	if c.Archived() {
		return Assignment{}, ErrCohortArchived // its class is over
	}
	f, err = f.clean(s.catalogue)
	if err != nil {
		return Assignment{}, err
	}
	as := Assignment{ID: newID(), CohortID: cohortID, CreatedBy: a.UserID, CreatedAt: s.now().UTC()}
	as.set(f)
	if err := s.store.CreateAssignment(ctx, as); err != nil {
		return Assignment{}, err
	}
	return as, nil
}

func (as *Assignment) set(f AssignmentFields) {
	as.Title, as.Scenarios, as.Tracks, as.OpensAt, as.DueAt, as.Late = f.Title, f.Scenarios, f.Tracks, f.OpensAt, f.DueAt, f.Late
}

// Assignments lists a cohort's assignments to anyone with a part in it.
func (s *Service) Assignments(ctx context.Context, a Actor, cohortID string) ([]Assignment, error) {
	if _, _, err := s.cohortFor(ctx, s.store, a, cohortID); err != nil {
		return nil, err
	}
	return s.store.Assignments(ctx, cohortID)
}

// managedAssignment loads an assignment whose cohort the actor manages. One
// of a cohort they have no part in is not found; a member of its cohort is
// not allowed.
func (s *Service) managedAssignment(ctx context.Context, a Actor, id string) (Assignment, error) {
	as, err := s.store.Assignment(ctx, id)
	if err != nil {
		return Assignment{}, err
	}
	_, acc, err := s.cohortFor(ctx, s.store, a, as.CohortID)
	switch {
	case err == ErrCohortNotFound:
		return Assignment{}, ErrAssignmentNotFound
	case err != nil:
		return Assignment{}, err
	case acc != manages:
		return Assignment{}, ErrNotAllowed
	}
	return as, nil
}

// UpdateAssignment changes an assignment's fields. Solves already recorded
// keep the points they earned.
func (s *Service) UpdateAssignment(ctx context.Context, a Actor, id string, f AssignmentFields) (Assignment, error) {
	as, err := s.managedAssignment(ctx, a, id)
	if err != nil {
		return Assignment{}, err
	}
	f, err = f.clean(s.catalogue)
	if err != nil {
		return Assignment{}, err
	}
	as.set(f)
	if err := s.store.UpdateAssignment(ctx, as); err != nil {
		return Assignment{}, err
	}
	return as, nil
}

// DeleteAssignment removes an assignment; its members' records stay.
func (s *Service) DeleteAssignment(ctx context.Context, a Actor, id string) error {
	if _, err := s.managedAssignment(ctx, a, id); err != nil {
		return err
	}
	return s.store.DeleteAssignment(ctx, id)
}

// LatePolicy says how a trainee's solve of a scenario at a time stands
// against their assignments. A solve on time for any assignment of the
// scenario is on time; past every due date, the most lenient policy among
// them holds, and closed only when all are closed. A scenario assigned to
// no cohort of theirs, or not yet open, is never late.
func (s *Service) LatePolicy(ctx context.Context, traineeID, scenarioID string, at time.Time) (late bool, penaltyPercent int, closed bool, err error) {
	list, err := s.store.MemberAssignments(ctx, traineeID)
	if err != nil {
		return false, 0, false, err
	}
	lenient := -1 // the smallest penalty among past-due policies; 0 accepts
	for _, as := range list {
		if !as.has(scenarioID) || at.Before(as.OpensAt) {
			continue
		}
		if !at.After(as.DueAt) {
			return false, 0, false, nil
		}
		late = true
		p := 101 // closed: worse than any penalty
		switch as.Late.Kind {
		case LateAccept:
			p = 0
		case LatePenalty:
			p = as.Late.Percent
		}
		if lenient < 0 || p < lenient {
			lenient = p
		}
	}
	switch {
	case !late:
		return false, 0, false, nil
	case lenient > 100:
		return true, 0, true, nil
	}
	return true, lenient, false, nil
}

func (as Assignment) has(scenarioID string) bool {
	for _, id := range as.Scenarios {
		if id == scenarioID {
			return true
		}
	}
	return false
}
