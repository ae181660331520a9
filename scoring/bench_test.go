package scoring_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// benchRange makes n trainees, each with a running lab of scenario s1.
func benchRange(b *testing.B, db *store.DB, n int) (*scoring.Service, *labsOf) {
	f := &labsOf{labs: map[string]scoring.Lab{}, hardened: map[string]bool{}}
	for i := range n {
		id := fmt.Sprintf("t%05d", i)
		err := db.Accounts().CreateUser(ctx, accounts.User{ID: id, Email: id + "@bench.test", DisplayName: id, Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		f.labs["l"+id] = scoring.Lab{ID: "l" + id, TraineeID: id, ScenarioID: "s1", Running: true}
	}
	return scoring.NewService(f, db.Scoring(), nil), f
}

// BenchmarkSubmit is flag submissions per second through the service
// (checking, the sharing look-up, recording), eight submitters at once, on
// each database. Run:
//
//	SAKIMORI_TEST_POSTGRES_URL=… go test -run '^$' -bench Submit -benchtime 5s ./scoring/
func BenchmarkSubmit(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			svc, _ := benchRange(b, db, 64)
			var n atomic.Int64
			b.SetParallelism(4) // 8 submitters on 2 cores
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					id := fmt.Sprintf("t%05d", i%64)
					// Wrong answers: each is recorded, none ends the run.
					if _, err := svc.Submit(ctx, id, "l"+id, "static", "CTF{guess}", "127.0.0.1"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submissions/s")
		})
	}
}

// BenchmarkScoreboard ranks 10,000 trainees who each solved 50 objectives
// (500,000 records), on each database. Target: under one second.
//
//	SAKIMORI_TEST_POSTGRES_URL=… go test -run '^$' -bench Scoreboard -benchtime 10x -timeout 30m ./scoring/
func BenchmarkScoreboard(b *testing.B) {
	const trainees, objectives = 10_000, 50
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			benchRange(b, db, trainees)
			var next atomic.Int64
			parallel(8, func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= trainees*objectives {
						return
					}
					t, o := i/objectives, i%objectives
					err := db.Scoring().Record(ctx, scoring.Event{
						ID: uuid.NewString(), Kind: scoring.EventSubmission, TraineeID: fmt.Sprintf("t%05d", t),
						InstanceID: "l", ScenarioID: "s1", ObjectiveID: fmt.Sprintf("o%d", o), Correct: true,
						Points: 10 + (t*7+o)%90, At: time.Now(),
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			svc := scoring.NewService(&labsOf{}, db.Scoring(), nil)
			b.ResetTimer()
			for range b.N {
				board, _, err := svc.Scoreboard(ctx, "s1", 100, false)
				if err != nil || len(board) != 100 {
					b.Fatalf("scoreboard: %d, %v", len(board), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scoreboard")
		})
	}
}

func parallel(n int, fn func()) {
	done := make(chan struct{})
	for range n {
		go func() { fn(); done <- struct{}{} }()
	}
	for range n {
		<-done
	}
}
