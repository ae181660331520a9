package runner

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
	"github.com/sakimori/sakimori/sim/telemetry"
)

// reportEvery is how often a running job's new log and events go to the
// CI, so a trainee watching the job sees it move.
const reportEvery = time.Second

// report sends a running job's log and events to the CI as they come.
// What the CI does not accept is kept and sent with the next batch.
type report struct {
	runner *Runner
	job    *Job
	log    *jobLog

	mu     sync.Mutex
	events []any

	trace []byte // taken from the log, not yet accepted; only flush touches it
}

// event keeps an event for the next batch; the watcher calls it.
func (p *report) event(e any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
}

// stream flushes every interval until ctx ends.
func (p *report) stream(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.flush(ctx, false)
		}
	}
}

// flush sends what is new: the log's next piece (all of it when final)
// and the events seen. Calls must not overlap.
func (p *report) flush(ctx context.Context, final bool) {
	p.trace = append(p.trace, p.log.take(final)...)
	if len(p.trace) > 0 {
		if err := p.runner.send(ctx, p.job, http.MethodPatch, "/trace", "text/plain", p.trace); err != nil {
			labkit.Logger.Warn("sending a job's log", "job", p.job.ID, "err", err)
		} else {
			p.trace = p.trace[:0]
		}
	}
	p.mu.Lock()
	events := p.events
	p.events = nil
	p.mu.Unlock()
	if len(events) == 0 {
		return
	}
	var body bytes.Buffer
	if err := telemetry.WriteAll(&body, events); err != nil {
		labkit.Logger.Error("writing a job's events", "job", p.job.ID, "err", err)
		return
	}
	if err := p.runner.send(ctx, p.job, http.MethodPost, "/events", telemetry.ContentType, body.Bytes()); err != nil {
		labkit.Logger.Warn("sending a job's events", "job", p.job.ID, "err", err)
		p.mu.Lock()
		p.events = append(events, p.events...)
		p.mu.Unlock()
	}
}
