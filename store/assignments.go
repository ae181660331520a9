package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/cohorts"
)

type assignmentRow struct {
	ID             string `gorm:"primaryKey"`
	CohortID       string
	Title          string
	Scenarios      string // JSON array, in order
	Tracks         string
	OpensAt        time.Time
	DueAt          time.Time
	LatePolicy     string
	PenaltyPercent int
	CreatedBy      string
	CreatedAt      time.Time
}

func (assignmentRow) TableName() string { return "assignments" }

func assignmentRowOf(a cohorts.Assignment) (assignmentRow, error) {
	ids, err := json.Marshal(a.Scenarios)
	if err != nil {
		return assignmentRow{}, internal(err)
	}
	return assignmentRow{
		ID: a.ID, CohortID: a.CohortID, Title: a.Title, Scenarios: string(ids), Tracks: string(a.Tracks),
		OpensAt: a.OpensAt, DueAt: a.DueAt, LatePolicy: string(a.Late.Kind), PenaltyPercent: a.Late.Percent,
		CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt,
	}, nil
}

func (r assignmentRow) assignment() (cohorts.Assignment, error) {
	var ids []string
	if err := json.Unmarshal([]byte(r.Scenarios), &ids); err != nil {
		return cohorts.Assignment{}, internal(err)
	}
	return cohorts.Assignment{
		ID: r.ID, CohortID: r.CohortID, Title: r.Title, Scenarios: ids, Tracks: cohorts.Tracks(r.Tracks),
		OpensAt: r.OpensAt.UTC(), DueAt: r.DueAt.UTC(),
		Late:      cohorts.LatePolicy{Kind: cohorts.LateKind(r.LatePolicy), Percent: r.PenaltyPercent},
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
	}, nil
}

func assignmentsOf(rows []assignmentRow) ([]cohorts.Assignment, error) {
	out := make([]cohorts.Assignment, len(rows))
	for i, r := range rows {
		a, err := r.assignment()
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

func (s *Cohorts) CreateAssignment(ctx context.Context, a cohorts.Assignment) error {
	row, err := assignmentRowOf(a)
	if err != nil {
		return err
	}
	return internal(s.db.WithContext(ctx).Create(&row).Error)
}

func (s *Cohorts) Assignment(ctx context.Context, id string) (cohorts.Assignment, error) {
	var row assignmentRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return cohorts.Assignment{}, cohorts.ErrAssignmentNotFound
	}
	if err != nil {
		return cohorts.Assignment{}, internal(err)
	}
	return row.assignment()
}

func (s *Cohorts) UpdateAssignment(ctx context.Context, a cohorts.Assignment) error {
	row, err := assignmentRowOf(a)
	if err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Model(&assignmentRow{}).Where("id = ?", a.ID).Updates(map[string]any{
		"title": row.Title, "scenarios": row.Scenarios, "tracks": row.Tracks, "opens_at": row.OpensAt,
		"due_at": row.DueAt, "late_policy": row.LatePolicy, "penalty_percent": row.PenaltyPercent,
	})
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return cohorts.ErrAssignmentNotFound
	}
	return nil
}

func (s *Cohorts) DeleteAssignment(ctx context.Context, id string) error {
	res := s.db.WithContext(ctx).Where("id = ?", id).Delete(&assignmentRow{})
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return cohorts.ErrAssignmentNotFound
	}
	return nil
}

func (s *Cohorts) Assignments(ctx context.Context, cohortID string) ([]cohorts.Assignment, error) {
	var rows []assignmentRow
	err := s.db.WithContext(ctx).Where("cohort_id = ?", cohortID).Order("due_at, id").Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	return assignmentsOf(rows)
}

func (s *Cohorts) MemberAssignments(ctx context.Context, userID string) ([]cohorts.Assignment, error) {
	var rows []assignmentRow
	err := s.db.WithContext(ctx).Table("assignments a").Select("a.*").
		Joins("JOIN cohorts c ON c.id = a.cohort_id AND c.archived_at IS NULL").
		Joins("JOIN cohort_members m ON m.cohort_id = a.cohort_id AND m.removed_at IS NULL").
		Where("m.user_id = ? AND m.role = ?", userID, string(cohorts.CohortMember)).
		Order("a.due_at, a.id").Scan(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	return assignmentsOf(rows)
}
