package telemetry

import "sync"

// Log keeps the events of one lab, oldest first, up to a bound. Events are
// numbered from the first ever added, so a reader that remembers where it
// stopped takes only what is new, even after the oldest were dropped.
type Log[E any] struct {
	mu      sync.Mutex
	events  []E
	limit   int
	dropped int
}

// NewLog makes a log that keeps at least the newest limit events (the
// oldest go, a quarter of limit at a time).
func NewLog[E any](limit int) *Log[E] { return &Log[E]{limit: limit} }

// Add keeps an event.
func (l *Log[E]) Add(e E) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	// Trim in batches, so keeping the bound costs no copy per event.
	if len(l.events) > l.limit+l.limit/4 {
		n := len(l.events) - l.limit
		l.events = append([]E(nil), l.events[n:]...)
		l.dropped += n
	}
}

// Since returns the events after the first n ever added, and the count to
// ask from next time.
func (l *Log[E]) Since(n int) ([]E, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	total := l.dropped + len(l.events)
	start := min(max(n-l.dropped, 0), len(l.events))
	return append([]E(nil), l.events[start:]...), total
}
