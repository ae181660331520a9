package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/store"
)

// retentionEvery is how often recordings past their retention are looked for.
const retentionEvery = time.Hour

// runRecordingRetention deletes terminal recordings older than the range
// keeps them, at start and then every hour, until ctx ends. Each recording
// deleted is logged, and each run that deleted any is in the audit log.
func runRecordingRetention(ctx context.Context, cfg config.Config, db *store.DB, rec audit.Recorder, log *slog.Logger) {
	if cfg.RecordingRetention <= 0 {
		return
	}
	r := labs.NewRecordingRetention(db.Labs(), filepath.Join(cfg.DataDir, "recordings"), cfg.RecordingRetention, time.Now)
	for {
		expireRecordings(ctx, r, cfg.RecordingRetention, rec, log)
		select {
		case <-ctx.Done():
			return
		case <-time.After(retentionEvery):
		}
	}
}

func expireRecordings(ctx context.Context, r *labs.RecordingRetention, keep time.Duration, rec audit.Recorder, log *slog.Logger) {
	removed, err := r.Expire(ctx)
	for _, x := range removed {
		log.Info("terminal recording deleted: past its retention", "recording", x.ID, "lab", x.InstanceID,
			"trainee", x.TraineeID, "started_at", x.StartedAt, "bytes", x.Bytes)
	}
	if err != nil {
		log.Error("recording retention stopped early", "deleted", len(removed), "err", err)
	}
	if len(removed) == 0 {
		return
	}
	if err := rec.Record(ctx, audit.Entry{Action: audit.RecordingsExpire, ActorRole: "range", Detail: map[string]string{
		"deleted": strconv.Itoa(len(removed)), "retention": keep.String(),
		"oldest": removed[0].StartedAt.Format(time.RFC3339), "newest": removed[len(removed)-1].StartedAt.Format(time.RFC3339),
	}}); err != nil {
		log.Error("recording retention not written to the audit log", "err", err)
	}
}
