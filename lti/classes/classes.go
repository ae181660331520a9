// Package classes gives the LTI tool its classes from the cohorts
// service. It acts as the range itself: the platform vouched for the
// person and their role, and the tool decides nothing beyond the course's
// binding, so the cohorts service is called as a range admin would.
package classes

import (
	"context"
	"errors"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/lti"
)

// Classes implements lti.Classes over the cohorts service.
type Classes struct {
	cohorts  *cohorts.Service
	accounts *accounts.Service
	now      func() time.Time
}

// New makes the adapter.
func New(c *cohorts.Service, a *accounts.Service) Classes {
	return Classes{cohorts: c, accounts: a, now: time.Now}
}

var _ lti.Classes = Classes{}

// theRange is the actor the tool is: it admits whom the platform vouches for.
var theRange = cohorts.Actor{Role: accounts.RoleAdmin}

// OpenCohort makes a year-long cohort for the course; its instructor is
// enrolled right after.
func (c Classes) OpenCohort(ctx context.Context, orgID, title, _ string) (string, error) {
	now := c.now().UTC()
	made, err := c.cohorts.CreateCohort(ctx, theRange, orgID, cohorts.CohortFields{Name: title, StartsAt: now, EndsAt: now.AddDate(1, 0, 0)})
	return made.ID, err
}

// Enrol adds the person to the cohort, unless they are in it already.
func (c Classes) Enrol(ctx context.Context, cohortID, userID string, instructor bool) error {
	u, err := c.accounts.User(ctx, userID)
	if err != nil {
		return err
	}
	role := cohorts.CohortMember
	if instructor {
		role = cohorts.CohortInstructor
	}
	_, err = c.cohorts.AddMember(ctx, theRange, cohortID, u.Email, role)
	if errors.Is(err, cohorts.ErrAlreadyMember) {
		return nil
	}
	return err
}

// AssignmentIn finds the assignment among the cohort's.
func (c Classes) AssignmentIn(ctx context.Context, cohortID, assignmentID string) (string, bool, error) {
	as, err := c.cohorts.Assignments(ctx, theRange, cohortID)
	if err != nil {
		return "", false, err
	}
	for _, a := range as {
		if a.ID == assignmentID {
			title := a.Title
			if title == "" && len(a.Scenarios) > 0 {
				title = a.Scenarios[0]
			}
			return title, true, nil
		}
	}
	return "", false, nil
}

// Progress is every member's progress in the assignment.
func (c Classes) Progress(ctx context.Context, assignmentID string) ([]lti.Score, error) {
	_, ps, err := c.cohorts.AssignmentStatus(ctx, theRange, assignmentID)
	if err != nil {
		return nil, err
	}
	out := make([]lti.Score, 0, len(ps))
	for _, p := range ps {
		out = append(out, lti.Score{UserID: p.Person.ID, Solved: p.Solved, Required: p.Required, Done: p.CompletedAt != nil})
	}
	return out, nil
}
