package partners

import (
	"context"
	"errors"
	"testing"
)

// feedStore holds records at seq 1…n of one organisation.
type feedStore struct {
	Store
	n int64
}

func (f feedStore) FeedAfter(_ context.Context, _ string, pos Position, limit int) ([]Record, Position, error) {
	var out []Record
	for s := pos.Seq + 1; s <= f.n && len(out) < limit; s++ {
		out = append(out, Record{Position: Position{Seq: s}, ID: string(rune('a' + s))})
	}
	return out, Position{Seq: f.n}, nil
}

func TestFeedCursors(t *testing.T) {
	s := NewService(feedStore{n: 5}, nil, nil, []byte("key"), nil)
	tok := Token{OrganisationID: "o1", Scopes: []Scope{ReadRecords}}
	ctx := context.Background()

	var seen []string
	cursor := ""
	for range 4 {
		p, err := s.Feed(ctx, tok, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			seen = append(seen, r.ID)
		}
		cursor = p.Next
	}
	if len(seen) != 5 {
		t.Fatalf("paged %v, want 5 records once each", seen)
	}

	ahead := s.cursors.encode("o1", Position{Seq: 1000})
	cases := map[string]struct {
		tok    Token
		cursor string
		want   error
	}{
		"past the end":          {tok, ahead, ErrCursorOutOfRange},
		"another organisation":  {Token{OrganisationID: "o2", Scopes: []Scope{ReadRecords}}, cursor, ErrCursorForged},
		"another range's key":   {tok, cursors{key: []byte("other")}.encode("o1", Position{Seq: 1}), ErrCursorForged},
		"not base64":            {tok, "!!", ErrCursorMalformed},
		"an unknown version":    {tok, "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ErrCursorMalformed},
		"no read:records scope": {Token{OrganisationID: "o1", Scopes: []Scope{ReadRoster}}, "", ErrScopeMissing},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := s.Feed(ctx, c.tok, c.cursor, 2); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewTokenInput(t *testing.T) {
	secret := newSecret()
	if !LooksLikeSecret(secret) || len(secret) < 50 || HashSecret(secret) == HashSecret(newSecret()) {
		t.Fatalf("secret %q", secret)
	}
	if LooksLikeSecret("eyJhbGciOi.jwt.token") {
		t.Fatal("a JWT looks like a partner secret")
	}
}
