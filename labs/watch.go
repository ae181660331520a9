package labs

import (
	"context"
	"sync"
	"time"
)

// Watcher hears of every change to a lab's state once it is stored: a
// launch, each provisioning step, running, stopping, stopped, failed, a
// terminal opened. It is called on the changing goroutine and must not
// block.
type Watcher interface {
	LabChanged(inst Instance)
}

// Watch makes w hear of every lab change from now on, beside the watchers
// already there. It is safe while the service runs.
func (s *Service) Watch(w Watcher) {
	s.watched.mu.Lock()
	defer s.watched.mu.Unlock()
	s.watched.ws = append(s.watched.ws[:len(s.watched.ws):len(s.watched.ws)], w)
}

// watchedStore tells the instance's followers (changes) and the watcher
// after each change the store accepted. Every change goes through the
// store, so none is missed.
type watchedStore struct {
	Store
	changes *changes
	mu      sync.Mutex
	ws      []Watcher // replaced, never changed in place: a changer reads a copy
}

func (ws *watchedStore) tell(ctx context.Context, id string) {
	ws.changes.changed(id)
	ws.mu.Lock()
	watchers := ws.ws
	ws.mu.Unlock()
	if len(watchers) == 0 {
		return
	}
	if inst, err := ws.Instance(context.WithoutCancel(ctx), id); err == nil {
		for _, w := range watchers {
			w.LabChanged(inst)
		}
	}
}

func (ws *watchedStore) CreateInstance(ctx context.Context, inst Instance, capacity int) error {
	err := ws.Store.CreateInstance(ctx, inst, capacity)
	if err == nil {
		ws.tell(ctx, inst.ID)
	}
	return err
}

func (ws *watchedStore) Transition(ctx context.Context, id string, from []State, to State, c Change) (bool, error) {
	ok, err := ws.Store.Transition(ctx, id, from, to, c)
	if ok && err == nil {
		ws.tell(ctx, id)
	}
	return ok, err
}

func (ws *watchedStore) MarkTerminalOpened(ctx context.Context, id string, at time.Time) error {
	err := ws.Store.MarkTerminalOpened(ctx, id, at)
	if err == nil {
		ws.tell(ctx, id)
	}
	return err
}
