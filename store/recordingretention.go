package store

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/labs"
)

var _ labs.ExpiringRecordings = (*Labs)(nil)

func (l *Labs) RecordingsStartedBefore(ctx context.Context, t time.Time, limit int) ([]labs.Recording, error) {
	var rows []recordingRow
	err := l.db.WithContext(ctx).Where("started_at < ? AND ended_at IS NOT NULL", t.UTC()).
		Order("started_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, internal(err)
	}
	out := make([]labs.Recording, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (l *Labs) DeleteRecording(ctx context.Context, id string) error {
	return internal(l.db.WithContext(ctx).Where("id = ?", id).Delete(&recordingRow{}).Error)
}
