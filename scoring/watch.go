package scoring

import (
	"context"
	"sync/atomic"
)

// Watcher hears of every record once it is stored: answers right and
// wrong, hints, walkthroughs, checks. It is called on the recording
// goroutine and must not block.
type Watcher interface {
	Recorded(e Event)
}

// Watch makes w hear of every record from now on; a later call replaces
// it. It is safe while the service runs.
func (s *Service) Watch(w Watcher) { s.watched.w.Store(&w) }

// watchedStore tells the watcher after each record the store kept; a
// duplicate the store refused is not news.
type watchedStore struct {
	Store
	w atomic.Pointer[Watcher]
}

func (ws *watchedStore) Record(ctx context.Context, e Event) error {
	err := ws.Store.Record(ctx, e)
	if w := ws.w.Load(); err == nil && w != nil {
		(*w).Recorded(e)
	}
	return err
}
