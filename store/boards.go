package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/scoring"
)

var _ scoring.BoardStore = (*Scoring)(nil)

// ScopedScoreboard sums the scope's records in one grouped query, as the
// range board does, joined to the cohort's active trainees when it names
// a cohort.
func (s *Scoring) ScopedScoreboard(ctx context.Context, scope scoring.BoardScope, limit int) ([]scoring.Standing, error) {
	var rows []struct {
		TraineeID   string
		DisplayName string
		Points      int
		Solved      int
		LastSolveAt *string
	}
	q := scoped(s.db.WithContext(ctx).Table("scoring_events AS e"), scope).
		Select("e.trainee_id, u.display_name, SUM(e.points) AS points, " +
			"SUM(CASE WHEN e.correct THEN 1 ELSE 0 END) AS solved, " +
			"MAX(CASE WHEN e.correct THEN e.created_at END) AS last_solve_at").
		// A rehearsal's trainee is the range's own: no one's standing.
		Joins("JOIN users u ON u.id = e.trainee_id AND NOT u.rehearsal").
		Where(scoredKinds).
		Group("e.trainee_id, u.display_name").
		Order("points DESC, last_solve_at ASC, e.trainee_id ASC").
		Limit(limit)
	if err := q.Scan(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]scoring.Standing, len(rows))
	for i, r := range rows {
		out[i] = scoring.Standing{TraineeID: r.TraineeID, DisplayName: r.DisplayName, Points: r.Points, Solved: r.Solved}
		if r.LastSolveAt != nil {
			out[i].LastSolveAt = parseDBTime(*r.LastSolveAt)
		}
	}
	return out, nil
}

// ScopedSolves counts one objective's solves within the scope.
func (s *Scoring) ScopedSolves(ctx context.Context, scope scoring.BoardScope, scenarioID, objectiveID string) (int, error) {
	var n int64
	err := scoped(s.db.WithContext(ctx).Table("scoring_events AS e"), scope).
		Where("e.scenario_id = ? AND e.objective_id = ? AND e.kind = ? AND e.correct", scenarioID, objectiveID, string(scoring.EventSubmission)).
		Count(&n).Error
	return int(n), internal(err)
}

// scoped narrows a query over scoring_events AS e to the scope's trainees,
// scenarios and window.
func scoped(q *gorm.DB, scope scoring.BoardScope) *gorm.DB {
	if scope.CohortID != "" {
		q = q.Joins("JOIN cohort_members m ON m.user_id = e.trainee_id AND m.cohort_id = ? AND m.role = ? AND m.removed_at IS NULL",
			scope.CohortID, string(cohorts.CohortMember))
	}
	if scope.OrganisationID != "" {
		// A subquery, not a join: a trainee in two of the organisation's
		// cohorts must not count twice.
		q = q.Where("e.trainee_id IN (SELECT m.user_id FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id "+
			"WHERE c.organisation_id = ? AND m.role = ? AND m.removed_at IS NULL)", scope.OrganisationID, string(cohorts.CohortMember))
	}
	if len(scope.Scenarios) > 0 {
		q = q.Where("e.scenario_id IN ?", scope.Scenarios)
	}
	if !scope.From.IsZero() {
		q = q.Where("e.created_at >= ?", scope.From.UTC())
	}
	if !scope.Until.IsZero() {
		q = q.Where("e.created_at < ?", scope.Until.UTC())
	}
	return q
}
