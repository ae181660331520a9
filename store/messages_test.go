package store_test

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestCohortMessagesAreKeptAsSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, c := cohortFixture(t, db)
		s := db.Messages()
		at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		for i, text := range []string{"始めましょう — start the lab", "Ten minutes left"} {
			m := live.Message{ID: string(rune('a' + i)), CohortID: c.ID, SenderID: "u1", Text: text, SentAt: at.Add(time.Duration(i) * time.Minute)}
			if err := s.AddMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.CohortMessages(ctx, c.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Text != "Ten minutes left" || got[1].Text != "始めましょう — start the lab" || !got[1].SentAt.Equal(at) {
			t.Fatalf("messages: %+v", got)
		}
		if err := s.AddMessage(ctx, live.Message{ID: "x", CohortID: "no-such-cohort", SenderID: "u1", Text: "hi", SentAt: at}); err == nil {
			t.Fatal("a message to no cohort was kept")
		}
	})
}
