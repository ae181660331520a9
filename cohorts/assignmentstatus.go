package cohorts

import (
	"context"
	"time"
)

// Status is where a trainee stands with an assignment.
type Status string

const (
	StatusNotStarted Status = "not_started" // no lab of its scenarios since it opened, nothing solved
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed" // every objective of its tracks solved by the due date
	StatusLate       Status = "late"      // completed after the due date, or not completed and past it
)

// Progress is one trainee's standing in one assignment.
type Progress struct {
	Person      Person
	Status      Status
	Solved      int // objectives of the assignment's tracks solved
	Required    int // objectives of the assignment's tracks in all its scenarios
	CompletedAt *time.Time
}

// AssignmentStatus is each member's progress in an assignment, for the
// cohort's managers, in the roster's order.
func (s *Service) AssignmentStatus(ctx context.Context, a Actor, id string) (Assignment, []Progress, error) {
	as, err := s.managedAssignment(ctx, a, id)
	if err != nil {
		return Assignment{}, nil, err
	}
	members, err := s.store.Members(ctx, as.CohortID)
	if err != nil {
		return Assignment{}, nil, err
	}
	out := []Progress{}
	for _, m := range members {
		if m.Role != CohortMember {
			continue
		}
		p, err := s.progress(ctx, as, m.Person.ID)
		if err != nil {
			return Assignment{}, nil, err
		}
		p.Person = m.Person
		out = append(out, p)
	}
	return as, out, nil
}

// MyAssignment is one assignment as its trainee sees it.
type MyAssignment struct {
	Assignment
	Progress Progress
}

// MyAssignments lists the actor's assignments across their cohorts, by due
// date, with where they stand in each.
func (s *Service) MyAssignments(ctx context.Context, a Actor) ([]MyAssignment, error) {
	list, err := s.store.MemberAssignments(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]MyAssignment, 0, len(list))
	for _, as := range list {
		p, err := s.progress(ctx, as, a.UserID)
		if err != nil {
			return nil, err
		}
		p.Person = Person{ID: a.UserID}
		out = append(out, MyAssignment{Assignment: as, Progress: p})
	}
	return out, nil
}

// progress works out one trainee's standing from their labs and solves.
func (s *Service) progress(ctx context.Context, as Assignment, traineeID string) (Progress, error) {
	var p Progress
	started := false
	var last time.Time
	for _, scenarioID := range as.Scenarios {
		var objectives map[string]string
		if s.catalogue != nil {
			objectives, _ = s.catalogue.ObjectiveTracks(scenarioID)
		}
		solved := map[string]time.Time{}
		if s.activity != nil {
			var err error
			if solved, err = s.activity.Solved(ctx, traineeID, scenarioID); err != nil {
				return Progress{}, err
			}
		}
		for objectiveID, track := range objectives {
			if !as.Tracks.Includes(track) {
				continue
			}
			p.Required++
			if at, ok := solved[objectiveID]; ok {
				p.Solved++
				started = true
				if at.After(last) {
					last = at
				}
			}
		}
		if !started && s.activity != nil {
			launched, err := s.activity.Launched(ctx, traineeID, scenarioID, as.OpensAt)
			if err != nil {
				return Progress{}, err
			}
			started = launched
		}
	}
	now := s.now()
	switch {
	case p.Required > 0 && p.Solved == p.Required:
		at := last.UTC()
		p.CompletedAt = &at
		p.Status = StatusCompleted
		if at.After(as.DueAt) {
			p.Status = StatusLate
		}
	case now.After(as.DueAt):
		p.Status = StatusLate
	case started:
		p.Status = StatusInProgress
	default:
		p.Status = StatusNotStarted
	}
	return p, nil
}
