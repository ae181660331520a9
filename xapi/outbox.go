package xapi

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Batch is the most statements one post carries.
const Batch = 50

// Destination is an organisation that forwards, with its LRS and where its
// outbox stands.
type Destination struct {
	Organisation string
	LRS          LRS
	Cursor       Position // past the last record delivered or set aside
}

// DeadLetter is a statement the LRS refused, kept with its reply.
type DeadLetter struct {
	ID           string // the record's id
	Organisation string
	Statement    string // the JSON sent
	Status       int
	Reply        string
	At           time.Time
}

// Store keeps the outbox's state. Records are read, never written.
type Store interface {
	Destinations(ctx context.Context) ([]Destination, error)
	// Records lists at most limit of an organisation's records after a
	// position, oldest first, and the position they reach (past records
	// that make no statement, too).
	Records(ctx context.Context, organisation string, after Position, limit int) ([]Record, Position, error)
	// Record reads one record by id, for a replay.
	Record(ctx context.Context, organisation, id string) (Record, error)
	// Advance moves the cursor and sets aside the dead letters in one
	// transaction, so a crash either does both or neither.
	Advance(ctx context.Context, organisation string, cursor Position, dead []DeadLetter) error
	DeadLetters(ctx context.Context, organisation string) ([]DeadLetter, error)
	// Resolve removes a dead letter delivered on replay, or keeps the
	// LRS's new reply when it refused again.
	Resolve(ctx context.Context, organisation, id string, again *DeadLetter) error
}

var ErrNotFound = errors.New("xapi: no such dead letter")

// Outbox delivers each organisation's records to its LRS.
type Outbox struct {
	// mu serialises passes and replays: one request at a time per range
	// keeps the cursor and the backoff simple, and LRSs prefer it.
	mu      sync.Mutex
	store   Store
	client  Client
	builder Builder
	now     func() time.Time
	// waits holds, per organisation, when its LRS may be tried again and
	// how long the last wait was. In memory: after a restart, one try.
	waits    map[string]backoff
	versions map[string]string
	// MaxWait bounds the backoff (a quarter hour unless set).
	MaxWait time.Duration
}

type backoff struct {
	until time.Time
	last  time.Duration
}

// Backoff bounds: the first retry after a second, doubling to a quarter hour.
const (
	firstWait = time.Second
	lastWait  = 15 * time.Minute
)

func NewOutbox(store Store, client Client, builder Builder, now func() time.Time) *Outbox {
	return &Outbox{store: store, client: client, builder: builder, now: now,
		waits: map[string]backoff{}, versions: map[string]string{}}
}

// Pass delivers what is waiting, for every organisation not backing off,
// and returns how many statements the LRSs accepted.
func (o *Outbox) Pass(ctx context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	dests, err := o.store.Destinations(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range dests {
		if o.now().Before(o.waits[d.Organisation].until) {
			continue
		}
		n, err := o.drain(ctx, d)
		sent += n
		if err != nil && ctx.Err() != nil {
			return sent, ctx.Err()
		}
	}
	return sent, nil
}

// drain posts an organisation's records until none are left or the LRS
// asks to wait.
func (o *Outbox) drain(ctx context.Context, d Destination) (int, error) {
	sent := 0
	for {
		records, reached, err := o.store.Records(ctx, d.Organisation, d.Cursor, Batch)
		if err != nil || reached == d.Cursor {
			return sent, err
		}
		if len(records) == 0 {
			// Nothing to send below the horizon: keep how far that is, and
			// stop until the next pass. Reading again would chase the
			// horizon for ever on PostgreSQL, where it moves with every
			// transaction, this Advance's own included.
			return sent, o.store.Advance(ctx, d.Organisation, reached, nil)
		}
		version, err := o.version(ctx, d)
		if err != nil {
			o.wait(d.Organisation, 0)
			return sent, err
		}
		ok, dead, err := o.deliver(ctx, d, version, records)
		if err != nil {
			return sent, err
		}
		if err := o.store.Advance(ctx, d.Organisation, reached, dead); err != nil {
			return sent, err
		}
		delete(o.waits, d.Organisation)
		d.Cursor, sent = reached, sent+ok
	}
}

func (o *Outbox) version(ctx context.Context, d Destination) (string, error) {
	if v, ok := o.versions[d.Organisation]; ok {
		return v, nil
	}
	v, err := o.client.Version(ctx, d.LRS)
	if err != nil {
		return "", err
	}
	o.versions[d.Organisation] = v
	return v, nil
}

// deliver posts one batch. The LRS keeps or refuses a batch whole, so when
// it refuses one, each statement is posted alone to find which it refuses;
// the ones already kept are kept once (their ids are stable).
func (o *Outbox) deliver(ctx context.Context, d Destination, version string, records []Record) (int, []DeadLetter, error) {
	statements := make([]Statement, 0, len(records))
	var dead []DeadLetter
	var kept []Record
	for _, r := range records {
		s, err := o.builder.Build(r, d.LRS.Options)
		if err != nil {
			dead = append(dead, o.letter(d, r, Statement{}, Reply{Body: err.Error()}))
			continue
		}
		statements, kept = append(statements, s), append(kept, r)
	}
	if len(statements) == 0 {
		return 0, dead, nil
	}
	reply, err := o.client.Post(ctx, d.LRS, version, statements)
	if err != nil {
		o.wait(d.Organisation, 0)
		return 0, nil, err
	}
	if reply.Retryable() {
		o.wait(d.Organisation, reply.RetryAfter)
		return 0, nil, errRetry(reply)
	}
	if !reply.Rejected() {
		return len(statements), dead, nil
	}
	ok := 0
	for i, s := range statements {
		one, err := o.client.Post(ctx, d.LRS, version, []Statement{s})
		if err != nil || one.Retryable() {
			// Nothing advances: the batch is tried again whole later, and
			// what this pass delivered is kept once.
			o.wait(d.Organisation, one.RetryAfter)
			return 0, nil, errors.Join(err, errRetry(one))
		}
		if one.Rejected() {
			dead = append(dead, o.letter(d, kept[i], s, one))
			continue
		}
		ok++
	}
	return ok, dead, nil
}

type retryError struct{ Reply }

func (e retryError) Error() string { return "xapi: the LRS asked to retry" }

func errRetry(r Reply) error {
	if r.Status == 0 {
		return nil
	}
	return retryError{r}
}

func (o *Outbox) letter(d Destination, r Record, s Statement, reply Reply) DeadLetter {
	body := ""
	if s.ID != "" {
		b, _ := json.Marshal(s)
		body = string(b)
	}
	return DeadLetter{ID: r.ID, Organisation: d.Organisation, Statement: body, Status: reply.Status, Reply: reply.Body, At: o.now()}
}

// wait backs an organisation off: the LRS's Retry-After when it gave one,
// else twice the last wait, within bounds.
func (o *Outbox) wait(org string, after time.Duration) {
	b := o.waits[org]
	bound := o.MaxWait
	if bound <= 0 {
		bound = lastWait
	}
	next := min(max(b.last*2, firstWait), bound)
	if after > 0 {
		next = min(after, bound)
	}
	o.waits[org] = backoff{until: o.now().Add(next), last: next}
}

// Forget drops what the outbox remembers of an organisation's LRS (its
// version, its backoff): its configuration changed.
func (o *Outbox) Forget(org string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.forget(org)
}

func (o *Outbox) forget(org string) {
	delete(o.waits, org)
	delete(o.versions, org)
}

// Replay posts a dead letter again, rebuilt from its record so that a
// fixed setting applies. It returns the LRS's reply.
func (o *Outbox) Replay(ctx context.Context, d Destination, id string) (Reply, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, err := o.store.Record(ctx, d.Organisation, id)
	if err != nil {
		return Reply{}, err
	}
	s, err := o.builder.Build(r, d.LRS.Options)
	if err != nil {
		return Reply{}, err
	}
	o.forget(d.Organisation)
	version, err := o.version(ctx, d)
	if err != nil {
		return Reply{}, err
	}
	reply, err := o.client.Post(ctx, d.LRS, version, []Statement{s})
	if err != nil {
		return Reply{}, err
	}
	switch {
	case reply.Rejected():
		letter := o.letter(d, r, s, reply)
		return reply, o.store.Resolve(ctx, d.Organisation, id, &letter)
	case reply.Retryable():
		return reply, errRetry(reply)
	}
	return reply, o.store.Resolve(ctx, d.Organisation, id, nil)
}

// Sealer keeps LRS secrets encrypted at rest, bound to their organisation
// (accounts.Sealer is one).
type Sealer interface {
	Seal(plain, owner string) string
	Open(sealed, owner string) (string, error)
}
