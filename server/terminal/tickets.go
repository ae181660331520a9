// Package terminal bridges the browser's terminal (a WebSocket) to a shell
// in a lab host. Browsers cannot put an Authorization header on a
// WebSocket, so the page first asks the API for a ticket: one use, thirty
// seconds, bound to one person and one lab.
package terminal

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// Tickets are the one-time passes. They live in this server's memory: a
// deployment of several servers needs sticky sessions for the terminal.
type Tickets struct {
	mu  sync.Mutex
	m   map[string]Ticket
	ttl time.Duration
	now func() time.Time
}

// Ticket says who may open which lab's terminal.
type Ticket struct {
	UserID  string
	Staff   bool
	LabID   string
	expires time.Time
}

// NewTickets makes a ticket office; now may be nil for the wall clock.
func NewTickets(ttl time.Duration, now func() time.Time) *Tickets {
	if now == nil {
		now = time.Now
	}
	return &Tickets{m: map[string]Ticket{}, ttl: ttl, now: now}
}

// Issue makes a ticket for one person and one lab.
func (t *Tickets) Issue(userID string, staff bool, labID string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	code := base64.RawURLEncoding.EncodeToString(b)
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for c, tk := range t.m { // expired tickets go as new ones come
		if now.After(tk.expires) {
			delete(t.m, c)
		}
	}
	t.m[code] = Ticket{UserID: userID, Staff: staff, LabID: labID, expires: now.Add(t.ttl)}
	return code
}

// Redeem uses a ticket up. It succeeds once, before expiry, for its lab.
func (t *Tickets) Redeem(code, labID string) (Ticket, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tk, ok := t.m[code]
	delete(t.m, code)
	if !ok || tk.LabID != labID || t.now().After(tk.expires) {
		return Ticket{}, false
	}
	return tk, true
}

// Sessions caps the terminals one person has open at once.
type Sessions struct {
	mu   sync.Mutex
	open map[string]int
	max  int
}

// NewSessions allows max open terminals per person.
func NewSessions(max int) *Sessions { return &Sessions{open: map[string]int{}, max: max} }

// Begin counts a terminal opening; false if the person is at the cap.
func (s *Sessions) Begin(userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[userID] >= s.max {
		return false
	}
	s.open[userID]++
	return true
}

// End counts a terminal closing.
func (s *Sessions) End(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[userID]--; s.open[userID] <= 0 {
		delete(s.open, userID)
	}
}
