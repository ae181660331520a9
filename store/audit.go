package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/audit"
)

// Audit implements audit.Store. It only ever inserts and reads; the
// database refuses anything else on audit_log (migration 00007).
type Audit struct{ db *gorm.DB }

// Audit returns the audit log's store over db.
func (db *DB) Audit() *Audit { return &Audit{db: db.gorm} }

var _ audit.Store = (*Audit)(nil)

type auditRow struct {
	Seq        int64 `gorm:"primaryKey;autoIncrement"`
	At         time.Time
	ActorID    string
	ActorRole  string
	Action     string
	TargetKind string
	TargetID   string
	Detail     string
	RequestID  string
	SourceIP   string `gorm:"column:source_ip"`
}

func (auditRow) TableName() string { return "audit_log" }

func (a *Audit) Append(ctx context.Context, e audit.Entry) error {
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(e.Detail); err != nil {
			return internal(err)
		}
	}
	row := auditRow{
		At: e.At, ActorID: e.ActorID, ActorRole: e.ActorRole, Action: string(e.Action), TargetKind: e.TargetKind,
		TargetID: e.TargetID, Detail: string(detail), RequestID: e.RequestID, SourceIP: e.SourceIP,
	}
	return internal(a.db.WithContext(ctx).Create(&row).Error)
}

func (a *Audit) Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	q := a.db.WithContext(ctx).Model(&auditRow{})
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", string(f.Action))
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until.UTC())
	}
	if f.TargetKind != "" {
		q = q.Where("target_kind = ? AND target_id = ?", f.TargetKind, f.TargetID)
	}
	if f.Before > 0 {
		q = q.Where("seq < ?", f.Before)
	}
	var rows []auditRow
	if err := q.Order("seq DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry{
			Seq: r.Seq, At: r.At.UTC(), ActorID: r.ActorID, ActorRole: r.ActorRole, Action: audit.Action(r.Action),
			TargetKind: r.TargetKind, TargetID: r.TargetID, RequestID: r.RequestID, SourceIP: r.SourceIP,
		}
		if r.Detail != "" && r.Detail != "{}" {
			if err := json.Unmarshal([]byte(r.Detail), &out[i].Detail); err != nil {
				return nil, internal(err)
			}
		}
	}
	return out, nil
}
