package xapi

import (
	"context"
	"log/slog"
	"time"
)

// Run passes over the outbox every interval until ctx ends. A pass in
// flight when ctx ends stops at its next request; the cursor only ever
// moves past what the LRS answered, so nothing is lost or sent twice.
func (o *Outbox) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := o.Pass(ctx); err != nil && ctx.Err() == nil && log != nil {
			log.Warn("xapi forwarding pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
