package scoring

import (
	"context"
	"sync"
)

// Watcher hears of every record once it is stored: answers right and
// wrong, hints, walkthroughs, checks. It is called on the recording
// goroutine and must not block.
type Watcher interface {
	Recorded(e Event)
}

// WatchFunc is a Watcher that is one function.
type WatchFunc func(e Event)

func (f WatchFunc) Recorded(e Event) { f(e) }

// Watch makes w hear of every record from now on, beside the watchers
// already there: the live class view, the LMS gradebooks and the badges
// each hear every record. It is safe while the service runs.
func (s *Service) Watch(w Watcher) {
	s.watched.mu.Lock()
	defer s.watched.mu.Unlock()
	s.watched.ws = append(s.watched.ws[:len(s.watched.ws):len(s.watched.ws)], w)
}

// watchedStore tells the watchers after each record the store kept; a
// duplicate the store refused is not news.
type watchedStore struct {
	Store
	mu sync.Mutex
	ws []Watcher // replaced, never changed in place: a recorder reads a copy
}

func (ws *watchedStore) Record(ctx context.Context, e Event) error {
	err := ws.Store.Record(ctx, e)
	if err != nil {
		return err
	}
	ws.mu.Lock()
	watchers := ws.ws
	ws.mu.Unlock()
	for _, w := range watchers {
		w.Recorded(e)
	}
	return nil
}
