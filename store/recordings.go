package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/sakimori/sakimori/labs"
)

var _ labs.RecordingStore = (*Labs)(nil)

type recordingRow struct {
	ID         string `gorm:"primaryKey"`
	InstanceID string
	TraineeID  string
	ByStaff    bool
	StartedAt  time.Time
	EndedAt    *time.Time
	Bytes      int64
	Truncated  bool
}

func (recordingRow) TableName() string { return "terminal_recordings" }

func (r recordingRow) domain() labs.Recording {
	return labs.Recording{ID: r.ID, InstanceID: r.InstanceID, TraineeID: r.TraineeID, ByStaff: r.ByStaff,
		StartedAt: r.StartedAt.UTC(), EndedAt: utcPtr(r.EndedAt), Bytes: r.Bytes, Truncated: r.Truncated}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (l *Labs) CreateRecording(ctx context.Context, r labs.Recording) error {
	return orNil(l.db.WithContext(ctx).Create(&recordingRow{ID: r.ID, InstanceID: r.InstanceID, TraineeID: r.TraineeID,
		ByStaff: r.ByStaff, StartedAt: r.StartedAt}).Error)
}

func (l *Labs) FinishRecording(ctx context.Context, id string, ended time.Time, bytes int64, truncated bool) error {
	return orNil(l.db.WithContext(ctx).Model(&recordingRow{}).Where("id = ?", id).
		Updates(map[string]any{"ended_at": ended, "bytes": bytes, "truncated": truncated}).Error)
}

func (l *Labs) Recordings(ctx context.Context, instanceID string) ([]labs.Recording, error) {
	var rows []recordingRow
	if err := l.db.WithContext(ctx).Where("instance_id = ?", instanceID).Order("started_at, id").Find(&rows).Error; err != nil {
		return nil, internal(err)
	}
	out := make([]labs.Recording, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (l *Labs) Recording(ctx context.Context, id string) (labs.Recording, error) {
	var row recordingRow
	err := l.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return labs.Recording{}, labs.ErrRecordingNotFound
	}
	if err != nil {
		return labs.Recording{}, internal(err)
	}
	return row.domain(), nil
}

// orNil is internal for a failure and nil for none.
func orNil(err error) error {
	if err != nil {
		return internal(err)
	}
	return nil
}
