package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
	"github.com/sakimori/sakimori/xapi"
)

// advanceCounter is the store, counting the outbox's cursor moves.
type advanceCounter struct {
	*store.XAPI
	n atomic.Int64
}

func (a *advanceCounter) Advance(ctx context.Context, org string, cursor xapi.Position, dead []xapi.DeadLetter) error {
	a.n.Add(1)
	return a.XAPI.Advance(ctx, org, cursor, dead)
}

// A pass with nothing to send moves the cursor to the horizon once and
// ends. On PostgreSQL the horizon moves with every transaction, the
// cursor's own move included; a pass that read again after an empty page
// chased it until something else held it still, for minutes on a quiet
// server.
func TestAPassWithNothingToSendEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		s := &advanceCounter{XAPI: db.XAPI(sealer(t))}
		must(t, s.PutLRS(ctx, "o1", xapi.LRS{Endpoint: "http://127.0.0.1:9", Auth: xapi.AuthBasic, Key: "k", Secret: "s"}, time.Now()))
		bounded, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		out := xapi.NewOutbox(s, xapi.Client{}, xapi.Builder{HomePage: "https://range.example"}, time.Now)
		for range 3 {
			if n, err := out.Pass(bounded); err != nil || n != 0 {
				t.Fatalf("a pass with nothing to send: sent %d (%v)", n, err)
			}
		}
		if got := s.n.Load(); got > 3 {
			t.Fatalf("three passes with nothing to send moved the cursor %d times", got)
		}
	})
}
