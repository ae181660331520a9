package labs

import (
	"sync"
)

// changes tells whoever watches an instance that its record moved, so a
// page following a launch learns "running" the moment it is written
// rather than at its next look.
type changes struct {
	mu       sync.Mutex
	watchers map[string]map[chan struct{}]bool
}

// watch returns a channel that receives after each change to the instance
// (changes that land while nobody reads are merged into one), and the
// function that ends the watch.
func (c *changes) watch(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watchers == nil {
		c.watchers = map[string]map[chan struct{}]bool{}
	}
	if c.watchers[id] == nil {
		c.watchers[id] = map[chan struct{}]bool{}
	}
	c.watchers[id][ch] = true
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.watchers[id], ch)
		if len(c.watchers[id]) == 0 {
			delete(c.watchers, id)
		}
	}
}

func (c *changes) changed(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.watchers[id] {
		select {
		case ch <- struct{}{}:
		default: // one is already waiting to be read
		}
	}
}

// Changes returns a channel that receives after each change to the
// instance made through this service (watchedStore announces them), and the function that ends the
// watch. Changes made elsewhere (another server on the same database) do
// not show here: a watcher still looks now and then.
func (s *Service) Changes(id string) (<-chan struct{}, func()) {
	return s.changes.watch(id)
}
