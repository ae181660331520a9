package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/scoring"
)

// Scoring implements scoring.Store. It only ever inserts and reads.
type Scoring struct{ db *gorm.DB }

// Scoring returns the scoring store over db.
func (db *DB) Scoring() *Scoring { return &Scoring{db: db.gorm} }

var _ scoring.Store = (*Scoring)(nil)

type eventRow struct {
	ID          string `gorm:"primaryKey"`
	Kind        string
	TraineeID   string
	InstanceID  string
	ScenarioID  string
	ObjectiveID string
	HintID      string
	Digest      string
	Correct     bool
	Points      int
	SharedWith  string
	Note        string
	Evidence    string
	IP          string `gorm:"column:ip"`
	CreatedAt   time.Time
	// A completion's (see scoring.EventComplete).
	AssignmentID string
	Score        int
	MaxScore     int
	DurationMs   int64
}

func (eventRow) TableName() string { return "scoring_events" }

// scoredKinds picks the records that standings sum: every kind but the
// milestones, which count nothing.
const scoredKinds = "e.kind IN ('submission', 'hint', 'reveal')"

func (s *Scoring) Record(ctx context.Context, e scoring.Event) error {
	row := eventRow{
		ID: e.ID, Kind: string(e.Kind), TraineeID: e.TraineeID, InstanceID: e.InstanceID, ScenarioID: e.ScenarioID,
		ObjectiveID: e.ObjectiveID, HintID: e.HintID, Digest: e.Digest, Correct: e.Correct, Points: e.Points,
		SharedWith: e.SharedWith, Note: e.Note, Evidence: e.Evidence, IP: e.IP, CreatedAt: e.At,
		AssignmentID: e.AssignmentID, Score: e.Score, MaxScore: e.MaxScore, DurationMs: e.Duration.Milliseconds(),
	}
	err := s.db.WithContext(ctx).Create(&row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return scoring.ErrDuplicate
	}
	return internal(err)
}

func (s *Scoring) Events(ctx context.Context, traineeID, scenarioID string) ([]scoring.Event, error) {
	var rows []eventRow
	q := s.db.WithContext(ctx).Where("trainee_id = ?", traineeID)
	if scenarioID != "" {
		q = q.Where("scenario_id = ?", scenarioID)
	}
	err := q.Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	return events(rows), nil
}

func (s *Scoring) ClassEvents(ctx context.Context, traineeIDs []string, scenarioID string) ([]scoring.Event, error) {
	var rows []eventRow
	for chunk := range slices.Chunk(traineeIDs, 500) { // well under every driver's bound on parameters
		var part []eventRow
		err := s.db.WithContext(ctx).Where("trainee_id IN ? AND scenario_id = ?", chunk, scenarioID).Order("created_at, id").Find(&part).Error
		if err != nil {
			return nil, internal(err)
		}
		rows = append(rows, part...)
	}
	return events(rows), nil
}

func (s *Scoring) Attempts(ctx context.Context, traineeID, scenarioID, objectiveID string, since time.Time) (scoring.Attempts, error) {
	var out struct {
		Solved      int
		Wrong       int
		WrongRecent int
		Revealed    int
	}
	err := s.db.WithContext(ctx).Model(&eventRow{}).
		Select("COALESCE(SUM(CASE WHEN kind = 'submission' AND correct THEN 1 ELSE 0 END), 0) AS solved, "+
			"COALESCE(SUM(CASE WHEN kind = 'submission' AND NOT correct THEN 1 ELSE 0 END), 0) AS wrong, "+
			"COALESCE(SUM(CASE WHEN kind = 'submission' AND NOT correct AND created_at >= ? THEN 1 ELSE 0 END), 0) AS wrong_recent, "+
			"COALESCE(SUM(CASE WHEN kind = 'reveal' THEN 1 ELSE 0 END), 0) AS revealed", since.UTC()).
		Where("trainee_id = ? AND scenario_id = ? AND objective_id = ?", traineeID, scenarioID, objectiveID).
		Scan(&out).Error
	return scoring.Attempts{Solved: out.Solved > 0, Wrong: out.Wrong, WrongRecent: out.WrongRecent, Revealed: out.Revealed > 0}, internal(err)
}

func (s *Scoring) Solves(ctx context.Context, scenarioID, objectiveID string) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&eventRow{}).
		Where("scenario_id = ? AND objective_id = ? AND kind = ? AND correct", scenarioID, objectiveID, string(scoring.EventSubmission)).
		Count(&n).Error
	return int(n), internal(err)
}

func (s *Scoring) Score(ctx context.Context, traineeID string) (int, int, error) {
	var out struct {
		Points int
		Solved int
	}
	err := s.db.WithContext(ctx).Model(&eventRow{}).
		Select("COALESCE(SUM(points), 0) AS points, COALESCE(SUM(CASE WHEN correct THEN 1 ELSE 0 END), 0) AS solved").
		Where("trainee_id = ?", traineeID).Scan(&out).Error
	return out.Points, out.Solved, internal(err)
}

func (s *Scoring) Suspicions(ctx context.Context, limit int) ([]scoring.Event, error) {
	var rows []eventRow
	err := s.db.WithContext(ctx).
		Where("(shared_with <> '' OR note LIKE ? OR note LIKE ?)", "%fast_solve%", "%no_session%").
		// A rehearsal solves at a script's pace, and is no one to suspect.
		Where("trainee_id NOT IN (SELECT id FROM users WHERE rehearsal)").
		Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	return events(rows), nil
}

func events(rows []eventRow) []scoring.Event {
	out := make([]scoring.Event, len(rows))
	for i, r := range rows {
		out[i] = scoring.Event{
			ID: r.ID, Kind: scoring.EventKind(r.Kind), TraineeID: r.TraineeID, InstanceID: r.InstanceID,
			ScenarioID: r.ScenarioID, ObjectiveID: r.ObjectiveID, HintID: r.HintID, Digest: r.Digest,
			Correct: r.Correct, Points: r.Points, SharedWith: r.SharedWith, Note: r.Note, Evidence: r.Evidence, IP: r.IP, At: r.CreatedAt,
			AssignmentID: r.AssignmentID, Score: r.Score, MaxScore: r.MaxScore, Duration: time.Duration(r.DurationMs) * time.Millisecond,
		}
	}
	return out
}

// Scoreboard sums each trainee's events in one grouped query; ties go to
// whoever reached the score first. Trainees with nothing solved and only
// hints taken still appear, below zero.
func (s *Scoring) Scoreboard(ctx context.Context, scenarioID string, limit int, until time.Time) ([]scoring.Standing, error) {
	var rows []struct {
		TraineeID   string
		DisplayName string
		Points      int
		Solved      int
		LastSolveAt *string
	}
	q := s.db.WithContext(ctx).Table("scoring_events AS e").
		Select("e.trainee_id, u.display_name, SUM(e.points) AS points, " +
			"SUM(CASE WHEN e.correct THEN 1 ELSE 0 END) AS solved, " +
			"MAX(CASE WHEN e.correct THEN e.created_at END) AS last_solve_at").
		// A rehearsal's trainee is the range's own: no one's standing.
		Joins("JOIN users u ON u.id = e.trainee_id AND NOT u.rehearsal").
		Where(scoredKinds).
		Group("e.trainee_id, u.display_name").
		Order("points DESC, last_solve_at ASC, e.trainee_id ASC").
		Limit(limit)
	if scenarioID != "" {
		q = q.Where("e.scenario_id = ?", scenarioID)
	}
	if !until.IsZero() {
		q = q.Where("e.created_at < ?", until.UTC())
	}
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

// parseDBTime reads a timestamp an aggregate returned as text (SQLite
// hands MAX() back as a string); an unreadable one is the zero time.
func parseDBTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ClassProgress folds the class's submissions in the database: one row a
// trainee and objective, read from the index alone (scoring_events_class),
// instead of every record; only the records the live view counts or marks
// come in full.
func (s *Scoring) ClassProgress(ctx context.Context, traineeIDs []string, scenarioID string) (scoring.ClassProgress, error) {
	var out scoring.ClassProgress
	marked := "kind IN ('hint', 'reveal') OR shared_with <> ''"
	var args []any
	for _, m := range scoring.LiveMarks {
		marked += " OR note LIKE ?"
		args = append(args, "%"+m+"%")
	}
	for chunk := range slices.Chunk(traineeIDs, 500) {
		rows, err := s.db.WithContext(ctx).Model(&eventRow{}).
			Select("trainee_id, objective_id, MAX(CASE WHEN correct THEN 1 ELSE 0 END)").
			Where("trainee_id IN ? AND scenario_id = ? AND kind = ?", chunk, scenarioID, string(scoring.EventSubmission)).
			Group("trainee_id, objective_id").Rows()
		if err != nil {
			return scoring.ClassProgress{}, internal(err)
		}
		for rows.Next() {
			var r scoring.Reached
			var solved int
			if err := rows.Scan(&r.TraineeID, &r.ObjectiveID, &solved); err != nil {
				rows.Close()
				return scoring.ClassProgress{}, internal(err)
			}
			r.Solved = solved > 0
			out.Reached = append(out.Reached, r)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return scoring.ClassProgress{}, internal(err)
		}
		var notable []eventRow
		err = s.db.WithContext(ctx).Where("trainee_id IN ? AND scenario_id = ?", chunk, scenarioID).
			Where(marked, args...).Order("created_at, id").Find(&notable).Error
		if err != nil {
			return scoring.ClassProgress{}, internal(err)
		}
		out.Notable = append(out.Notable, events(notable)...)
	}
	return out, nil
}

var _ scoring.ClassProgressStore = (*Scoring)(nil)
