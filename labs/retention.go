package labs

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ExpiringRecordings is the storage side of recording retention.
type ExpiringRecordings interface {
	// RecordingsStartedBefore lists up to limit recordings, oldest first,
	// that started before t and have ended.
	RecordingsStartedBefore(ctx context.Context, t time.Time, limit int) ([]Recording, error)
	DeleteRecording(ctx context.Context, id string) error
}

// RecordingRetention deletes terminal recordings once they are older than
// the range keeps them: their cast files first, then their rows, so a
// crash between the two leaves a row whose replay is gone (and is deleted
// on the next run), never a file nobody can find.
type RecordingRetention struct {
	store ExpiringRecordings
	dir   string
	keep  time.Duration
	now   func() time.Time
}

// NewRecordingRetention keeps recordings in dir for keep; keep must be
// positive (a range that keeps recordings forever runs no retention).
func NewRecordingRetention(store ExpiringRecordings, dir string, keep time.Duration, now func() time.Time) *RecordingRetention {
	if now == nil {
		now = time.Now
	}
	return &RecordingRetention{store: store, dir: dir, keep: keep, now: now}
}

const expireBatch = 500

// Expire deletes every recording past the retention period and returns
// what it deleted, so the caller can say so in the logs and audit log.
func (r *RecordingRetention) Expire(ctx context.Context) ([]Recording, error) {
	cutoff := r.now().Add(-r.keep)
	var removed []Recording
	for {
		list, err := r.store.RecordingsStartedBefore(ctx, cutoff, expireBatch)
		if err != nil || len(list) == 0 {
			return removed, err
		}
		for _, rec := range list {
			err := os.Remove(filepath.Join(r.dir, rec.InstanceID, rec.ID+".cast"))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, err
			}
			_ = os.Remove(filepath.Join(r.dir, rec.InstanceID)) // the lab's folder, once empty
			if err := r.store.DeleteRecording(ctx, rec.ID); err != nil {
				return removed, err
			}
			removed = append(removed, rec)
		}
	}
}
