package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// BenchmarkEventBoard reads an event's board, top 100, for a cohort of
// 10,000 trainees, each with 5 solves and a hint inside the event (60,000
// records), among 50,000 records the board must leave out: 2,000
// outsiders' solves in the event, and the members' solves of another
// scenario and from before the event.
func BenchmarkEventBoard(b *testing.B) {
	members, outsiders, solves := 10_000, 2_000, 5
	if testing.Short() {
		members, outsiders = 200, 40
	}
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
			cohortID := benchCohort(b, db, members, outsiders, start)
			var next atomic.Int64
			total := members + outsiders
			inParallel(8, func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= total {
						return
					}
					benchRecords(b, db, i, i < members, solves, start)
				}
			})
			boards := scoring.NewBoards(db.Scoring(), nil)
			scope := scoring.BoardScope{CohortID: cohortID, Scenarios: []string{"ctf"}, From: start, Until: start.Add(2 * time.Hour)}
			// The range's own board over the same records, read in turn with
			// the event's, so the machine's noise falls on both.
			var scoped, whole time.Duration
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				board, err := boards.Board(ctx, scope, 100, true)
				if err != nil || len(board.Standings) != 100 || board.Standings[0].Solved != solves {
					b.Fatalf("board: %d lines, %v", len(board.Standings), err)
				}
				t1 := time.Now()
				if _, err := db.Scoring().Scoreboard(ctx, "", 100, time.Time{}); err != nil {
					b.Fatal(err)
				}
				scoped, whole = scoped+t1.Sub(t0), whole+time.Since(t1)
			}
			b.ReportMetric(float64(scoped.Microseconds())/1000/float64(b.N), "ms/board")
			b.ReportMetric(float64(whole.Microseconds())/1000/float64(b.N), "ms/range-board")
		})
	}
}

// benchCohort makes the trainees and a cohort of the first members of them.
func benchCohort(b *testing.B, db *store.DB, members, outsiders int, at time.Time) string {
	b.Helper()
	for i := range members + outsiders {
		id := fmt.Sprintf("t%05d", i)
		err := db.Accounts().CreateUser(ctx, accounts.User{ID: id, Email: id + "@bench.test", DisplayName: id, Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: at})
		if err != nil {
			b.Fatal(err)
		}
	}
	s := db.Cohorts()
	if err := s.CreateOrganisation(ctx, cohorts.Organisation{ID: "o1", Name: "Bench", Slug: "bench", Kind: cohorts.Academy, CreatedAt: at}); err != nil {
		b.Fatal(err)
	}
	c := cohorts.Cohort{ID: "c1", OrganisationID: "o1", Name: "Bench", StartsAt: at, EndsAt: at.Add(24 * time.Hour), JoinCode: "BENC-HBEN-CHBE", CreatedAt: at}
	if err := s.CreateCohort(ctx, c); err != nil {
		b.Fatal(err)
	}
	for from := 0; from < members; from += 500 {
		var ms []cohorts.Membership
		for i := from; i < min(from+500, members); i++ {
			ms = append(ms, cohorts.Membership{ID: fmt.Sprintf("m%05d", i), CohortID: c.ID, Person: cohorts.Person{ID: fmt.Sprintf("t%05d", i)},
				Role: cohorts.CohortMember, Via: cohorts.ViaImport, JoinedAt: at})
		}
		if err := s.AddMembers(ctx, ms); err != nil {
			b.Fatal(err)
		}
	}
	return c.ID
}

// benchRecords writes one trainee's records: a member's solves and hint in
// the event, and their solves of another scenario and from before it; an
// outsider's solves in the event's scenario and window.
func benchRecords(b *testing.B, db *store.DB, i int, member bool, solves int, start time.Time) {
	id := fmt.Sprintf("t%05d", i)
	record := func(scenario, objective string, kind scoring.EventKind, points int, at time.Time) {
		e := scoring.Event{ID: uuid.NewString(), Kind: kind, TraineeID: id, InstanceID: "l", ScenarioID: scenario,
			ObjectiveID: objective, Correct: kind == scoring.EventSubmission, Points: points, At: at}
		if kind == scoring.EventHint {
			e.HintID = "h1"
		}
		if err := db.Scoring().Record(ctx, e); err != nil {
			b.Error(err)
		}
	}
	for o := range solves {
		at := start.Add(time.Duration(i%3600+o) * time.Second)
		record("ctf", fmt.Sprintf("o%d", o), scoring.EventSubmission, 10+(i*7+o)%90, at)
		if member && o < 2 {
			record("other", fmt.Sprintf("o%d", o), scoring.EventSubmission, 50, at)
			record("before", fmt.Sprintf("o%d", o), scoring.EventSubmission, 50, start.Add(-time.Hour))
		}
	}
	if member {
		record("ctf", "o0", scoring.EventHint, -5, start.Add(time.Minute))
	}
}

func inParallel(n int, fn func()) {
	done := make(chan struct{})
	for range n {
		go func() { fn(); done <- struct{}{} }()
	}
	for range n {
		<-done
	}
}
