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

// MessagesAfter implements live.Messages: the person's cohorts' messages
// after afterID, in the order sent (the id breaks a tie of times).
func (s *Messages) MessagesAfter(ctx context.Context, userID, afterID string, limit int) ([]live.Message, error) {
	var mark messageRow
	err := s.db.WithContext(ctx).Where("id = ?", afterID).Limit(1).Find(&mark).Error
	if err != nil {
		return nil, internal(err)
	}
	if mark.ID == "" {
		return []live.Message{}, nil
	}
	type sentRow struct {
		ID, CohortID, SenderID, Text, CohortName string
		SentAt                                   time.Time
	}
	var rows []sentRow
	err = s.db.WithContext(ctx).Table("cohort_messages AS m").
		Select("m.id, m.cohort_id, m.sender_id, m.text, m.sent_at, c.name AS cohort_name").
		Joins("JOIN cohorts c ON c.id = m.cohort_id").
		Joins("JOIN cohort_members cm ON cm.cohort_id = m.cohort_id AND cm.user_id = ? AND cm.role = 'member' AND cm.removed_at IS NULL", userID).
		Where("m.sent_at >= cm.joined_at").
		Where("m.sent_at > ? OR (m.sent_at = ? AND m.id > ?)", mark.SentAt, mark.SentAt, mark.ID).
		Order("m.sent_at, m.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]live.Message, len(rows))
	for i, r := range rows {
		out[i] = live.Message{ID: r.ID, CohortID: r.CohortID, CohortName: r.CohortName, SenderID: r.SenderID, Text: r.Text, SentAt: r.SentAt.UTC()}
	}
	return out, nil
}
