package partners

import (
	"context"
	"strconv"
)

// Feed page sizes.
const (
	DefaultFeedLimit = 100
	MaxFeedLimit     = 1000
)

// FeedPage is one page of an organisation's record feed. Next resumes
// after it; it is given even when the page is short or empty, so a partner
// keeps the last cursor it was given and asks again later. More says
// whether records were waiting beyond this page when it was read.
type FeedPage struct {
	Records []Record `json:"records"`
	Next    string   `json:"next_cursor"`
	More    bool     `json:"more"`
}

// ParseLimit reads a page size from a client: empty is the default.
func ParseLimit(s string) (int, error) {
	if s == "" {
		return DefaultFeedLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxFeedLimit {
		return 0, ErrLimitInvalid
	}
	return n, nil
}

// Feed returns the organisation's records after cursor (from the start
// when empty), oldest first. The feed is append-only and ordered by when
// records committed, not when they were made: a record that commits late
// appears after the ones read before it, never behind a cursor already
// given out. So a partner paging from its last cursor gets every record
// once, however many are being written meanwhile.
func (s *Service) Feed(ctx context.Context, t Token, cursor string, limit int) (FeedPage, error) {
	if err := allow(t, ReadRecords); err != nil {
		return FeedPage{}, err
	}
	if limit < 1 || limit > MaxFeedLimit {
		return FeedPage{}, ErrLimitInvalid
	}
	pos, err := s.cursors.decode(t.OrganisationID, cursor)
	if err != nil {
		return FeedPage{}, err
	}
	list, horizon, err := s.store.FeedAfter(ctx, t.OrganisationID, pos, limit+1)
	if err != nil {
		return FeedPage{}, err
	}
	if pos.After(horizon) {
		return FeedPage{}, ErrCursorOutOfRange
	}
	page := FeedPage{Records: list}
	if len(list) > limit {
		page.Records, page.More = list[:limit], true
	}
	next := pos
	if n := len(page.Records); n > 0 {
		next = page.Records[n-1].Position
	} else if !page.More {
		// Nothing of this organisation's up to the horizon: skip past
		// other organisations' records so they are not read again.
		next = horizon
	}
	page.Next = s.cursors.encode(t.OrganisationID, next)
	if page.Records == nil {
		page.Records = []Record{}
	}
	return page, nil
}
