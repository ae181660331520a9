package scoring_test

import (
	"sync"
	"testing"

	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// Every watcher hears every stored record once: the live view, the
// gradebooks and the badges all watch one service.
func TestEveryWatcherHearsEachRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		var mu sync.Mutex
		heard := map[string][]string{}
		for _, name := range []string{"live", "grades", "badges"} {
			svc.Watch(scoring.WatchFunc(func(e scoring.Event) {
				mu.Lock()
				defer mu.Unlock()
				heard[name] = append(heard[name], e.ObjectiveID)
			}))
		}
		if _, err := svc.Submit(ctx, "alice", "la", "static", "wrong", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Submit(ctx, "alice", "la", "static", "CTF{static}", ""); err != nil {
			t.Fatal(err)
		}
		// Practice after the solve is not a record: nobody hears of it.
		if _, err := svc.Submit(ctx, "alice", "la", "static", "CTF{static}", ""); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, name := range []string{"live", "grades", "badges"} {
			if got := heard[name]; len(got) != 2 || got[0] != "static" || got[1] != "static" {
				t.Errorf("%s heard %v; want the wrong answer and the solve", name, got)
			}
		}
	})
}
