package scoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// contestFrom puts every solve at or after from into one range-wide event
// of scenario s1.
type contestFrom struct{ from time.Time }

func (c contestFrom) Contest(_ context.Context, _, scenarioID string, at time.Time) (scoring.BoardScope, bool, error) {
	if scenarioID != "s1" || at.Before(c.from) {
		return scoring.BoardScope{}, false, nil
	}
	return scoring.BoardScope{Scenarios: []string{"s1"}, From: c.from, Until: c.from.Add(time.Hour)}, true, nil
}

// A solve inside an event decays by that event's solves alone: one made
// before the event began does not lower its value.
func TestDynamicValueCountsWithinTheEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		now := time.Now().UTC().Truncate(time.Second)
		svc := scoring.NewService(&dynamicLabs{labsOf: f}, db.Scoring(), func() time.Time { return now })
		svc.UseContests(contestFrom{from: now.Add(time.Hour)}, scoring.NewBoards(db.Scoring(), nil))
		before, _ := svc.Submit(ctx, "bob", "lb", "static", "CTF{static}", "")
		now = now.Add(90 * time.Minute)
		inside, _ := svc.Submit(ctx, "alice", "la", "static", "CTF{static}", "")
		if before.Points != 100 || inside.Points != 100 {
			t.Fatalf("before the event %d, inside it %d; want 100 and 100 (the event's first solve)", before.Points, inside.Points)
		}
		// Inside the event, a first-solve bonus goes to the event's first solver.
		r, _ := svc.Submit(ctx, "alice", "la", "banner", "CTF{banner}", "")
		if r.Points != 55 {
			t.Fatalf("the event's first solve of banner earned %d; want 50 + 5", r.Points)
		}
	})
}
