package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Page sizes for reading the log.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter says which entries to read. Zero fields match everything.
type Filter struct {
	ActorID string
	Action  Action
	Since   time.Time // at or after
	Until   time.Time // before
	Before  int64     // only entries with a smaller Seq: where the last page ended
	// TargetKind and TargetID pick entries about one thing (an
	// organisation's partner calls); not settable from a client's query.
	TargetKind, TargetID string
	Limit                int
}

// The faults a bad filter gets.
var (
	ErrFilterInvalid = fault.New(fault.Invalid, "audit_filter_invalid", "The audit filter is not valid.")
	ErrCursorInvalid = fault.InvalidField("cursor", "audit_cursor_invalid", "The cursor is not one this log gave out.")
)

func invalid(field, message string) error {
	f := *ErrFilterInvalid
	f.Field, f.Message = field, message
	return &f
}

// Query is a filter as a client writes it: every field text, as it came.
type Query struct {
	Actor, Action, Since, Until, Cursor, Limit string
}

// ParseFilter reads a client's query into a Filter, refusing anything it
// cannot read with the field named: times are RFC 3339, the action one
// the range records, the cursor one a previous page gave.
func ParseFilter(q Query) (Filter, error) {
	f := Filter{ActorID: strings.TrimSpace(q.Actor), Action: Action(q.Action), Limit: DefaultLimit}
	if len(f.ActorID) > 64 {
		return Filter{}, invalid("actor", "The actor is an account id, at most 64 characters.")
	}
	if q.Action != "" && !f.Action.Known() {
		return Filter{}, invalid("action", fmt.Sprintf("Unknown action %q.", q.Action))
	}
	var err error
	if f.Since, err = readTime(q.Since); err != nil {
		return Filter{}, invalid("since", "Since must be an RFC 3339 time like 2026-12-01T09:00:00Z.")
	}
	if f.Until, err = readTime(q.Until); err != nil {
		return Filter{}, invalid("until", "Until must be an RFC 3339 time like 2026-12-01T18:00:00Z.")
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return Filter{}, invalid("until", "Until must be later than since.")
	}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > MaxLimit {
			return Filter{}, invalid("limit", fmt.Sprintf("Limit must be a whole number from 1 to %d.", MaxLimit))
		}
		f.Limit = n
	}
	if q.Cursor != "" {
		n, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || n < 1 {
			return Filter{}, ErrCursorInvalid
		}
		f.Before = n
	}
	return f, nil
}

func readTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	return t.UTC(), err
}

// Page is one page of the log, newest first. Cursor, when not empty, reads
// the next (older) page.
type Page struct {
	Entries []Entry `json:"entries"`
	Cursor  string  `json:"next_cursor,omitempty"`
}

// Read returns one page of entries matching f.
func (l *Log) Read(ctx context.Context, f Filter) (Page, error) {
	if f.Limit < 1 || f.Limit > MaxLimit {
		f.Limit = DefaultLimit
	}
	want := f.Limit
	f.Limit++ // one more says whether another page exists
	list, err := l.store.Entries(ctx, f)
	if err != nil {
		return Page{}, err
	}
	p := Page{Entries: list}
	if len(list) > want {
		p.Entries = list[:want]
		p.Cursor = strconv.FormatInt(p.Entries[want-1].Seq, 10)
	}
	if p.Entries == nil {
		p.Entries = []Entry{}
	}
	return p, nil
}

// Each calls fn with every entry matching f, newest first, a page at a
// time, so an export of the whole log never holds it whole. It stops at
// the first error fn returns.
func (l *Log) Each(ctx context.Context, f Filter, fn func(Entry) error) error {
	f.Limit = MaxLimit
	for {
		p, err := l.Read(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range p.Entries {
			if err := fn(e); err != nil {
				return err
			}
		}
		if p.Cursor == "" {
			return nil
		}
		f.Before = p.Entries[len(p.Entries)-1].Seq
	}
}
