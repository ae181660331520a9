package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sakimori/sakimori/partners"
)

// The exports read through one open cursor each and hand rows over one at
// a time: a cohort of 200,000 is never held in memory.

func (p *Partners) EachRosterRow(ctx context.Context, cohortID string, fn func(partners.RosterRow) error) error {
	rows, err := p.db.WithContext(ctx).Raw(`SELECT m.cohort_id, m.user_id, m.sourced_id, u.email, u.display_name, m.role, m.joined_at, m.removed_at
		FROM cohort_members m JOIN users u ON u.id = m.user_id WHERE m.cohort_id = ? ORDER BY m.joined_at, m.id`, cohortID).Rows()
	if err != nil {
		return internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r partners.RosterRow
		var removed sql.NullTime
		if err := rows.Scan(&r.CohortID, &r.TraineeID, &r.SourcedID, &r.Email, &r.DisplayName, &r.Role, &r.JoinedAt, &removed); err != nil {
			return internal(err)
		}
		r.JoinedAt = r.JoinedAt.UTC()
		if removed.Valid {
			t := removed.Time.UTC()
			r.RemovedAt = &t
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return internal(rows.Err())
}

func (p *Partners) EachProgressRow(ctx context.Context, cohortID string, fn func(partners.ProgressRow) error) error {
	rows, err := p.db.WithContext(ctx).Raw(`SELECT m.cohort_id, m.user_id, m.sourced_id, u.display_name,
		COALESCE(SUM(e.points), 0), COALESCE(SUM(CASE WHEN e.kind = 'submission' AND e.correct THEN 1 ELSE 0 END), 0), MAX(e.created_at)
		FROM cohort_members m JOIN users u ON u.id = m.user_id
		LEFT JOIN scoring_events e ON e.trainee_id = m.user_id AND e.created_at >= m.joined_at
			AND (m.removed_at IS NULL OR e.created_at < m.removed_at)
		WHERE m.cohort_id = ? AND m.role = 'member'
		GROUP BY m.id, m.cohort_id, m.user_id, m.sourced_id, u.display_name, m.joined_at
		ORDER BY m.joined_at, m.id`, cohortID).Rows()
	if err != nil {
		return internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r partners.ProgressRow
		var last any
		if err := rows.Scan(&r.CohortID, &r.TraineeID, &r.SourcedID, &r.DisplayName, &r.Points, &r.Solved, &last); err != nil {
			return internal(err)
		}
		r.LastActivity = anyTime(last)
		if err := fn(r); err != nil {
			return err
		}
	}
	return internal(rows.Err())
}

func (p *Partners) EachRecord(ctx context.Context, cohortID string, fn func(partners.Record) error) error {
	rows, err := p.db.WithContext(ctx).Raw(`SELECT `+recordColumns+` FROM record_feed f JOIN scoring_events e ON e.id = f.record_id
		WHERE `+inCohort+` ORDER BY f.seq`, cohortID).Rows()
	if err != nil {
		return internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var row feedRow
		if err := rows.Scan(&row.ID, &row.Kind, &row.TraineeID, &row.ScenarioID, &row.ObjectiveID, &row.HintID, &row.Correct, &row.Points, &row.CreatedAt, &row.InstanceID,
			&row.AssignmentID, &row.Score, &row.MaxScore, &row.DurationMs); err != nil {
			return internal(err)
		}
		r := row.record()
		if err := fn(r); err != nil {
			return err
		}
	}
	return internal(rows.Err())
}

// EachSolve reads from the cohort's memberships into each member's solves
// within them, through scoring_solves_in_time, which holds every column the
// read needs: the table itself is never visited.
func (p *Partners) EachSolve(ctx context.Context, cohortID string, fn func(partners.Record) error) error {
	rows, err := p.db.WithContext(ctx).Raw(`SELECT e.trainee_id, e.scenario_id, e.objective_id
		FROM cohort_members m JOIN scoring_events e ON e.trainee_id = m.user_id AND e.kind = 'submission' AND e.correct
			AND e.created_at >= m.joined_at AND (m.removed_at IS NULL OR e.created_at < m.removed_at)
		WHERE m.cohort_id = ? AND m.role = 'member'`, cohortID).Rows()
	if err != nil {
		return internal(err)
	}
	defer rows.Close()
	r := partners.Record{Kind: "submission", Correct: true}
	for rows.Next() {
		if err := rows.Scan(&r.TraineeID, &r.ScenarioID, &r.ObjectiveID); err != nil {
			return internal(err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return internal(rows.Err())
}

// anyTime reads an aggregate's timestamp: SQLite hands MAX() back as text,
// PostgreSQL as a time.
func anyTime(v any) *time.Time {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x.UTC()
	case string:
		t = parseDBTime(x)
	case []byte:
		t = parseDBTime(string(x))
	}
	if t.IsZero() {
		return nil
	}
	return &t
}
