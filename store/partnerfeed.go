package store

import (
	"context"
	"database/sql"
	"math"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/partners"
)

// inOrganisation is true of a scoring event (aliased e) made while its
// trainee was a member of one of the organisation's cohorts.
const inOrganisation = `EXISTS (SELECT 1 FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id
	WHERE c.organisation_id = ? AND m.user_id = e.trainee_id AND m.role = 'member'
	AND m.joined_at <= e.created_at AND (m.removed_at IS NULL OR m.removed_at > e.created_at))`

// inCohort is inOrganisation for one cohort.
const inCohort = `EXISTS (SELECT 1 FROM cohort_members m
	WHERE m.cohort_id = ? AND m.user_id = e.trainee_id AND m.role = 'member'
	AND m.joined_at <= e.created_at AND (m.removed_at IS NULL OR m.removed_at > e.created_at))`

const recordColumns = `e.id, e.kind, e.trainee_id, e.scenario_id, e.objective_id, e.hint_id, e.correct, e.points, e.created_at, e.instance_id,
	e.assignment_id, e.score, e.max_score, e.duration_ms`

type feedRow struct {
	Seq         int64
	Tx          int64
	ID          string
	Kind        string
	TraineeID   string
	ScenarioID  string
	ObjectiveID string
	HintID      string
	Correct     bool
	Points      int
	CreatedAt   time.Time
	InstanceID  string
	// A completion's.
	AssignmentID string
	Score        int
	MaxScore     int
	DurationMs   int64
}

func (r feedRow) record() partners.Record {
	return partners.Record{Position: partners.Position{Tx: r.Tx, Seq: r.Seq}, ID: r.ID, Kind: r.Kind, TraineeID: r.TraineeID,
		ScenarioID: r.ScenarioID, ObjectiveID: r.ObjectiveID, HintID: r.HintID, Correct: r.Correct, Points: r.Points, At: r.CreatedAt.UTC(), LabID: r.InstanceID,
		AssignmentID: r.AssignmentID, Score: r.Score, MaxScore: r.MaxScore, DurationSeconds: r.DurationMs / 1000}
}

// FeedAfter reads the feed below a horizon past which nothing can still
// appear. On SQLite one writer commits at a time, in seq order, so the
// horizon is the last seq. On PostgreSQL a record's seq is taken before
// its transaction commits, so rows are ordered by the writing
// transaction's id and then seq, and only rows written by transactions
// older than the oldest one still running are served: those have all
// committed, and any transaction that commits later has a larger id.
func (p *Partners) FeedAfter(ctx context.Context, orgID string, pos partners.Position, limit int) ([]partners.Record, partners.Position, error) {
	var rows []feedRow
	var horizon partners.Position
	err := p.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if p.dialect == "postgres" {
			var xmin int64
			if err := tx.Raw("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint").Scan(&xmin).Error; err != nil {
				return err
			}
			horizon = partners.Position{Tx: xmin - 1, Seq: math.MaxInt64}
			return scanFeed(tx.Raw(`SELECT f.seq, f.tx, `+recordColumns+` FROM record_feed f JOIN scoring_events e ON e.id = f.record_id
				WHERE (f.tx, f.seq) > (?, ?) AND f.tx < ? AND `+inOrganisation+`
				ORDER BY f.tx, f.seq LIMIT ?`, pos.Tx, pos.Seq, xmin, orgID, limit), &rows)
		}
		var last sql.NullInt64
		if err := tx.Raw("SELECT MAX(seq) FROM record_feed").Scan(&last).Error; err != nil {
			return err
		}
		horizon = partners.Position{Seq: last.Int64}
		return scanFeed(tx.Raw(`SELECT f.seq, 0 AS tx, `+recordColumns+` FROM record_feed f JOIN scoring_events e ON e.id = f.record_id
			WHERE f.seq > ? AND f.seq <= ? AND `+inOrganisation+`
			ORDER BY f.seq LIMIT ?`, pos.Seq, last.Int64, orgID, limit), &rows)
	}, &sql.TxOptions{ReadOnly: p.dialect == "postgres"})
	if err != nil {
		return nil, partners.Position{}, internal(err)
	}
	out := make([]partners.Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, horizon, nil
}

// scanFeed reads a page by hand: the feed is read in bulk, and GORM's
// reflection costs more than the query.
func scanFeed(q *gorm.DB, out *[]feedRow) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r feedRow
		if err := rows.Scan(&r.Seq, &r.Tx, &r.ID, &r.Kind, &r.TraineeID, &r.ScenarioID, &r.ObjectiveID, &r.HintID, &r.Correct, &r.Points, &r.CreatedAt, &r.InstanceID,
			&r.AssignmentID, &r.Score, &r.MaxScore, &r.DurationMs); err != nil {
			return err
		}
		*out = append(*out, r)
	}
	return rows.Err()
}

func (p *Partners) InOrganisation(ctx context.Context, orgID, userID string) (bool, error) {
	var n int64
	err := p.db.WithContext(ctx).Raw(`SELECT COUNT(*) FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id
		WHERE c.organisation_id = ? AND m.user_id = ? AND m.role = 'member'`, orgID, userID).Scan(&n).Error
	return n > 0, internal(err)
}

func (p *Partners) TraineeRecords(ctx context.Context, orgID, traineeID string) ([]partners.Record, error) {
	var rows []feedRow
	err := p.db.WithContext(ctx).Raw(`SELECT `+recordColumns+` FROM scoring_events e
		WHERE e.trainee_id = ? AND `+inOrganisation+` ORDER BY e.created_at, e.id`, traineeID, orgID).Scan(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]partners.Record, len(rows))
	for i, r := range rows {
		out[i] = r.record()
	}
	return out, nil
}

func (p *Partners) CohortTotals(ctx context.Context, cohortID string) (partners.CohortTotals, error) {
	var t partners.CohortTotals
	err := p.db.WithContext(ctx).Raw(`SELECT
		COUNT(DISTINCT CASE WHEN removed_at IS NULL THEN user_id END) AS members,
		COUNT(DISTINCT CASE WHEN removed_at IS NOT NULL THEN user_id END) AS removed
		FROM cohort_members WHERE cohort_id = ? AND role = 'member'`, cohortID).Scan(&t).Error
	if err != nil {
		return t, internal(err)
	}
	var w struct{ Active, Records, Solves, Points int }
	err = p.db.WithContext(ctx).Raw(`SELECT COUNT(DISTINCT e.trainee_id) AS active, COUNT(*) AS records,
		COALESCE(SUM(CASE WHEN e.kind = 'submission' AND e.correct THEN 1 ELSE 0 END), 0) AS solves,
		COALESCE(SUM(e.points), 0) AS points
		FROM scoring_events e WHERE `+inCohort, cohortID).Scan(&w).Error
	t.Active, t.Records, t.Solves, t.Points = w.Active, w.Records, w.Solves, w.Points
	return t, internal(err)
}
