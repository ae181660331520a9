package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/live"
)

// Messages implements live.Messages.
type Messages struct{ db *gorm.DB }

// Messages returns the cohort messages store over db.
func (db *DB) Messages() *Messages { return &Messages{db: db.gorm} }

var _ live.Messages = (*Messages)(nil)

type messageRow struct {
	ID       string `gorm:"primaryKey"`
	CohortID string
	SenderID string
	Text     string
	SentAt   time.Time
}

func (messageRow) TableName() string { return "cohort_messages" }

func (s *Messages) AddMessage(ctx context.Context, m live.Message) error {
	row := messageRow{ID: m.ID, CohortID: m.CohortID, SenderID: m.SenderID, Text: m.Text, SentAt: m.SentAt.UTC()}
	return internal(s.db.WithContext(ctx).Create(&row).Error)
}

// CohortMessages lists a cohort's messages, newest first, at most limit.
func (s *Messages) CohortMessages(ctx context.Context, cohortID string, limit int) ([]live.Message, error) {
	var rows []messageRow
	err := s.db.WithContext(ctx).Where("cohort_id = ?", cohortID).Order("sent_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]live.Message, len(rows))
	for i, r := range rows {
		out[i] = live.Message{ID: r.ID, CohortID: r.CohortID, SenderID: r.SenderID, Text: r.Text, SentAt: r.SentAt.UTC()}
	}
	return out, nil
}
