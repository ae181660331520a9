package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/scoring"
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

// A full page of records that make no statement (walkthroughs shown) does
// not hide what waits behind it: the records after it come back at once,
// where an empty page would have ended the outbox's pass until the next.
func TestRecordsReadPastAPageOfWalkthroughs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		const page = 10
		at := time.Now().UTC()
		for i := range page + 3 {
			must(t, db.Scoring().Record(ctx, scoring.Event{ID: fmt.Sprintf("reveal-%02d", i), Kind: scoring.EventReveal, TraineeID: "t0",
				InstanceID: "i1", ScenarioID: "s1", ObjectiveID: fmt.Sprintf("o%d", i), At: at}))
		}
		must(t, db.Scoring().Record(ctx, record("after-the-walkthroughs", "t0")))
		got, _, err := db.XAPI(sealer(t)).Records(ctx, "o1", xapi.Position{}, page)
		must(t, err)
		if len(got) != 1 || got[0].ID != "after-the-walkthroughs" {
			t.Fatalf("records after a page of walkthroughs: %+v", got)
		}
	})
}
