package live

import (
	"sync"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
)

// Change is one piece of news for a subscriber: a scoring record, a lab's
// new state, or a message to a cohort. Exactly one is set.
type Change struct {
	Record  *scoring.Event
	Lab     *labs.Instance
	Message *Message
}

// Buffered is how many changes wait for a slow subscriber before it is
// dropped. A dropped viewer's stream ends and the browser reconnects to a
// fresh snapshot, which costs less than holding news for it.
const Buffered = 64

// Subscription is one open view: a matrix (news of some trainees in one
// scenario) or a person's inbox (messages to them). C is closed when the
// subscription ends, by Close or by being dropped.
type Subscription struct {
	C        <-chan Change
	c        chan Change
	scenario string
	trainees []string
	user     string
	closed   bool
}

// Hub passes news from the scoring and lab services to the open views in
// this process. It implements scoring.Watcher and labs.Watcher.
type Hub struct {
	mu        sync.Mutex
	byTrainee map[string]map[*Subscription]struct{} // matrix views, by each trainee they show
	inboxes   map[string]map[*Subscription]struct{} // message streams, by their reader
}

// NewHub makes an empty hub.
func NewHub() *Hub {
	return &Hub{byTrainee: map[string]map[*Subscription]struct{}{}, inboxes: map[string]map[*Subscription]struct{}{}}
}

// WatchTrainees subscribes to the records and lab changes of these
// trainees in one scenario.
func (h *Hub) WatchTrainees(scenarioID string, trainees []string) *Subscription {
	s := newSubscription()
	s.scenario, s.trainees = scenarioID, trainees
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range trainees {
		add(h.byTrainee, t, s)
	}
	return s
}

// WatchInbox subscribes to the messages sent to one person.
func (h *Hub) WatchInbox(userID string) *Subscription {
	s := newSubscription()
	s.user = userID
	h.mu.Lock()
	defer h.mu.Unlock()
	add(h.inboxes, userID, s)
	return s
}

func newSubscription() *Subscription {
	c := make(chan Change, Buffered)
	return &Subscription{C: c, c: c}
}

func add(m map[string]map[*Subscription]struct{}, key string, s *Subscription) {
	set := m[key]
	if set == nil {
		set = map[*Subscription]struct{}{}
		m[key] = set
	}
	set[s] = struct{}{}
}

// Close ends a subscription; closing twice is harmless.
func (h *Hub) Close(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(s)
}

// drop removes s everywhere and closes its channel; h.mu is held.
func (h *Hub) drop(s *Subscription) {
	if s.closed {
		return
	}
	s.closed = true
	for _, t := range s.trainees {
		remove(h.byTrainee, t, s)
	}
	if s.user != "" {
		remove(h.inboxes, s.user, s)
	}
	close(s.c)
}

func remove(m map[string]map[*Subscription]struct{}, key string, s *Subscription) {
	delete(m[key], s)
	if len(m[key]) == 0 {
		delete(m, key)
	}
}

// send hands ch to every subscriber in set that wants it, never waiting:
// one that is full is dropped. h.mu is held.
func (h *Hub) send(set map[*Subscription]struct{}, ch Change, wants func(*Subscription) bool) {
	for s := range set {
		if !wants(s) {
			continue
		}
		select {
		case s.c <- ch:
		default:
			h.drop(s)
		}
	}
}

// Recorded is scoring's news of a stored record.
func (h *Hub) Recorded(e scoring.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.send(h.byTrainee[e.TraineeID], Change{Record: &e}, func(s *Subscription) bool { return s.scenario == e.ScenarioID })
}

// LabChanged is the lab service's news of a lab's new state.
func (h *Hub) LabChanged(inst labs.Instance) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.send(h.byTrainee[inst.TraineeID], Change{Lab: &inst}, func(s *Subscription) bool { return s.scenario == inst.ScenarioID })
}

// Deliver pushes a message to the open inboxes of these people.
func (h *Hub) Deliver(m Message, to []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, u := range to {
		h.send(h.inboxes[u], Change{Message: &m}, func(*Subscription) bool { return true })
	}
}

var (
	_ scoring.Watcher = (*Hub)(nil)
	_ labs.Watcher    = (*Hub)(nil)
)
