package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/xapi"
)

// XAPI implements xapi.Store. It reads the records through the record
// feed (partners' order, which is the order records commit in) and keeps
// the organisations' LRSs, cursors and dead letters.
type XAPI struct {
	db     *gorm.DB
	feed   *Partners
	sealer xapi.Sealer
}

// XAPI returns the xAPI store over db; secrets are sealed with sealer.
func (db *DB) XAPI(sealer xapi.Sealer) *XAPI {
	return &XAPI{db: db.gorm, feed: db.Partners(), sealer: sealer}
}

var _ xapi.Store = (*XAPI)(nil)

type xapiDestinationRow struct {
	OrganisationID string `gorm:"primaryKey"`
	Endpoint       string
	Auth           string
	ClientKey      string
	SealedSecret   string
	TokenURL       string
	Language       string
	Enabled        bool
	CursorTx       int64
	CursorSeq      int64
	UpdatedAt      time.Time
}

func (xapiDestinationRow) TableName() string { return "xapi_destinations" }

type xapiDeadLetterRow struct {
	OrganisationID string `gorm:"primaryKey"`
	RecordID       string `gorm:"primaryKey"`
	Statement      string
	Status         int
	Reply          string
	CreatedAt      time.Time
}

func (xapiDeadLetterRow) TableName() string { return "xapi_dead_letters" }

// PutLRS sets an organisation's LRS. A new LRS starts its cursor at the
// current end of the feed: it receives what happens from now on, not years
// of history at once.
func (s *XAPI) PutLRS(ctx context.Context, org string, l xapi.LRS, now time.Time) error {
	_, end, err := s.feed.FeedAfter(ctx, org, partners.Position{Tx: 1 << 62}, 1)
	if err != nil {
		return err
	}
	row := xapiDestinationRow{OrganisationID: org, Endpoint: l.Endpoint, Auth: string(l.Auth), ClientKey: l.Key,
		SealedSecret: s.sealer.Seal(l.Secret, org), TokenURL: l.TokenURL, Language: l.Language, Enabled: true,
		CursorTx: end.Tx, CursorSeq: end.Seq, UpdatedAt: now}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "organisation_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"endpoint", "auth", "client_key", "sealed_secret", "token_url", "language", "enabled", "updated_at"}),
	}).Create(&row).Error
	return internal(err)
}

// LRS reads an organisation's LRS; found is false when it has none.
func (s *XAPI) LRS(ctx context.Context, org string) (xapi.Destination, bool, error) {
	var rows []xapiDestinationRow
	if err := s.db.WithContext(ctx).Where("organisation_id = ?", org).Limit(1).Find(&rows).Error; err != nil {
		return xapi.Destination{}, false, internal(err)
	}
	if len(rows) == 0 {
		return xapi.Destination{}, false, nil
	}
	d, err := s.destination(rows[0])
	return d, err == nil, err
}

func (s *XAPI) destination(r xapiDestinationRow) (xapi.Destination, error) {
	secret, err := s.sealer.Open(r.SealedSecret, r.OrganisationID)
	if err != nil {
		return xapi.Destination{}, err
	}
	return xapi.Destination{Organisation: r.OrganisationID, Cursor: xapi.Position{Tx: r.CursorTx, Seq: r.CursorSeq},
		LRS: xapi.LRS{Endpoint: r.Endpoint, Auth: xapi.Auth(r.Auth), Key: r.ClientKey, Secret: secret, TokenURL: r.TokenURL,
			Options: xapi.Options{Language: r.Language}}}, nil
}

func (s *XAPI) Destinations(ctx context.Context) ([]xapi.Destination, error) {
	var rows []xapiDestinationRow
	if err := s.db.WithContext(ctx).Where("enabled").Order("organisation_id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]xapi.Destination, 0, len(rows))
	for _, r := range rows {
		d, err := s.destination(r)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Records implements xapi.Store. A full page of records that make no statement (walkthroughs shown) is
// read past, so an empty answer always means the horizon: the outbox then
// ends its pass, which it must not do while records wait behind them.
func (s *XAPI) Records(ctx context.Context, org string, after xapi.Position, limit int) ([]xapi.Record, xapi.Position, error) {
	for {
		recs, horizon, err := s.feed.FeedAfter(ctx, org, partners.Position{Tx: after.Tx, Seq: after.Seq}, limit)
		if err != nil {
			return nil, after, err
		}
		reached := xapi.Position{Tx: horizon.Tx, Seq: horizon.Seq}
		if len(recs) == limit { // a full page: the horizon may lie further on
			last := recs[len(recs)-1].Position
			reached = xapi.Position{Tx: last.Tx, Seq: last.Seq}
		}
		if reached.Tx < after.Tx || (reached.Tx == after.Tx && reached.Seq < after.Seq) {
			reached = after
		}
		out := make([]xapi.Record, 0, len(recs))
		for _, r := range recs {
			if x, ok := s.record(ctx, org, r); ok {
				out = append(out, x)
			}
		}
		if len(out) > 0 || len(recs) < limit || reached == after {
			return out, reached, nil
		}
		after = reached
	}
}

// record turns a scoring record into what a statement is built from;
// a walkthrough shown makes no statement.
func (s *XAPI) record(ctx context.Context, org string, r partners.Record) (xapi.Record, bool) {
	x := xapi.Record{Pos: xapi.Position{Tx: r.Position.Tx, Seq: r.Position.Seq}, ID: r.ID, Organisation: org,
		Person: r.TraineeID, ScenarioID: r.ScenarioID, ObjectiveID: r.ObjectiveID, HintID: r.HintID,
		Registration: r.LabID, Points: r.Points, At: r.At}
	switch {
	case r.Kind == "launch":
		x.Kind = xapi.KindLaunched
	case r.Kind == "complete":
		// The attempt is the assignment's, as is the completion.
		x.Kind, x.Registration = xapi.KindCompleted, r.AssignmentID
		x.Points, x.MaxPoints, x.Duration = r.Score, r.MaxScore, time.Duration(r.DurationSeconds)*time.Second
	case r.Kind == "hint":
		x.Kind = xapi.KindHint
	case r.Kind == "submission" && r.Correct:
		x.Kind = xapi.KindPassed
	case r.Kind == "submission":
		x.Kind = xapi.KindWrong
	default:
		return x, false
	}
	var cohort []string
	_ = s.db.WithContext(ctx).Raw(`SELECT c.id FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id
		WHERE c.organisation_id = ? AND m.user_id = ? AND m.role = 'member' AND m.joined_at <= ?
		AND (m.removed_at IS NULL OR m.removed_at > ?) ORDER BY m.joined_at DESC LIMIT 1`,
		org, r.TraineeID, r.At, r.At).Scan(&cohort).Error
	if len(cohort) > 0 {
		x.CohortID = cohort[0]
	}
	return x, true
}

func (s *XAPI) Record(ctx context.Context, org, id string) (xapi.Record, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&xapiDeadLetterRow{}).Where("organisation_id = ? AND record_id = ?", org, id).Count(&n).Error; err != nil {
		return xapi.Record{}, internal(err)
	}
	if n == 0 {
		return xapi.Record{}, xapi.ErrNotFound
	}
	var rows []feedRow
	if err := s.db.WithContext(ctx).Raw(`SELECT `+recordColumns+` FROM scoring_events e WHERE e.id = ?`, id).Scan(&rows).Error; err != nil {
		return xapi.Record{}, internal(err)
	}
	if len(rows) == 0 {
		return xapi.Record{}, xapi.ErrNotFound
	}
	x, ok := s.record(ctx, org, rows[0].record())
	if !ok {
		return xapi.Record{}, xapi.ErrNotFound
	}
	return x, nil
}

func (s *XAPI) Advance(ctx context.Context, org string, cursor xapi.Position, dead []xapi.DeadLetter) error {
	return internal(s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range dead {
			row := xapiDeadLetterRow{OrganisationID: org, RecordID: d.ID, Statement: d.Statement, Status: d.Status, Reply: d.Reply, CreatedAt: d.At}
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
				return err
			}
		}
		return tx.Model(&xapiDestinationRow{}).Where("organisation_id = ?", org).
			Updates(map[string]any{"cursor_tx": cursor.Tx, "cursor_seq": cursor.Seq}).Error
	}))
}

func (s *XAPI) DeadLetters(ctx context.Context, org string) ([]xapi.DeadLetter, error) {
	var rows []xapiDeadLetterRow
	if err := s.db.WithContext(ctx).Where("organisation_id = ?", org).Order("created_at, record_id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]xapi.DeadLetter, len(rows))
	for i, r := range rows {
		out[i] = xapi.DeadLetter{ID: r.RecordID, Organisation: r.OrganisationID, Statement: r.Statement, Status: r.Status, Reply: r.Reply, At: r.CreatedAt.UTC()}
	}
	return out, nil
}

func (s *XAPI) Resolve(ctx context.Context, org, id string, again *xapi.DeadLetter) error {
	q := s.db.WithContext(ctx).Where("organisation_id = ? AND record_id = ?", org, id)
	var res *gorm.DB
	if again == nil {
		res = q.Delete(&xapiDeadLetterRow{})
	} else {
		res = q.Model(&xapiDeadLetterRow{}).Updates(map[string]any{"statement": again.Statement, "status": again.Status, "reply": again.Reply, "created_at": again.At})
	}
	if res.Error != nil {
		return internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return xapi.ErrNotFound
	}
	return nil
}
