package scoring_test

import (
	"fmt"
	"runtime"
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

// burst is what each trainee in BenchmarkSubmit answers, in order: for
// every flag and question of the lab, two wrong tries and then the right
// answer, so every kind of check is exercised, every wrong flag is looked
// up as possibly another's, and nobody reaches the lockout (LockoutAfter
// wrong answers a minute) or an objective's attempt limit.
var burst = func() []benchAnswer {
	right := []benchAnswer{
		{"own-flag", "", true}, // the lab's own flag, filled in per trainee
		{"static", "ctf{static}", true},
		{"regex", "CTF{2024}", true},
		{"address", "169.254.169.254", true},
		{"service", "S3 bucket", true},
		{"pi", "3.1416", true},
		{"technique", "T1552.005", true},
	}
	wrong := map[string][2]string{
		"own-flag": {"FLAG{guess}", "FLAG{l0-flag}"}, "static": {"CTF{dynamic}", "ctf{statik}"},
		"regex": {"CTF{20245}", "CTF{year}"}, "address": {"169.254.169.253", "10.0.0.1"},
		"service": {"S3", "EC2"}, "pi": {"3.2", "22/7"}, "technique": {"T1190", "T1485"},
	}
	var out []benchAnswer
	for _, r := range right {
		w := wrong[r.objective]
		out = append(out, benchAnswer{r.objective, w[0], false}, benchAnswer{r.objective, w[1], false}, r)
	}
	return out
}()

type benchAnswer struct {
	objective, answer string
	right             bool
}

// BenchmarkSubmit is answers per second through the service (finding the
// objective, counting attempts, checking the answer, looking up whose flag
// a wrong one is, recording) in a burst: eight submitters at once, each
// playing one trainee after another through the burst above, on each
// database. Any error or misjudged answer fails it. Run:
//
//	SAKIMORI_TEST_POSTGRES_URL=… go test -run '^$' -bench Submit -benchtime 2s ./scoring/
func BenchmarkSubmit(b *testing.B) {
	const parallelism = 4 // 8 submitters on 2 cores
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			trainees := b.N/len(burst) + parallelism*runtime.GOMAXPROCS(0) + 1
			svc, _ := benchRange(b, db, trainees)
			var nextTrainee atomic.Int64
			b.SetParallelism(parallelism)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				var id string
				step := len(burst)
				for pb.Next() {
					if step == len(burst) { // this trainee is done: the next one starts
						id, step = fmt.Sprintf("t%05d", nextTrainee.Add(1)-1), 0
					}
					a := burst[step]
					step++
					answer := a.answer
					if answer == "" {
						answer = "FLAG{l" + id + "-flag}"
					}
					r, err := svc.Submit(ctx, id, "l"+id, a.objective, answer, "127.0.0.1")
					if err != nil {
						b.Errorf("%s answering %s with %q: %v", id, a.objective, answer, err)
						return
					}
					if r.Correct != a.right || r.AlreadySolved {
						b.Errorf("%s answering %s with %q: %+v, want correct=%v", id, a.objective, answer, r, a.right)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "submissions/s")
		})
	}
}

// BenchmarkScoreboard ranks 10,000 trainees who each solved 50 objectives
// (500,000 records), on each database. Target: under one second. With
// -short it ranks 200 trainees of 10 objectives, to prove it still runs.
//
//	SAKIMORI_TEST_POSTGRES_URL=… go test -run '^$' -bench Scoreboard -benchtime 10x -timeout 30m ./scoring/
func BenchmarkScoreboard(b *testing.B) {
	trainees, objectives := 10_000, 50
	if testing.Short() {
		trainees, objectives = 200, 10
	}
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
