package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// classFromDB reads the live view's records and labs from the database,
// the way the server's sources do: each trainee's whole record, then their
// labs, one trainee at a time.
type classFromDB struct {
	db       *store.DB
	trainees []live.Member
	columns  []live.Column
}

func (c classFromDB) Class(context.Context, cohorts.Actor, string) (live.Class, error) {
	return live.Class{Name: "bench", Trainees: c.trainees}, nil
}

func (c classFromDB) Objectives(string) ([]live.Column, error) { return c.columns, nil }

func (c classFromDB) Records(ctx context.Context, trainee, scenario string) ([]scoring.Event, error) {
	all, err := c.db.Scoring().Events(ctx, trainee, "")
	out := all[:0]
	for _, e := range all {
		if e.ScenarioID == scenario {
			out = append(out, e)
		}
	}
	return out, err
}

func (c classFromDB) Labs(ctx context.Context, trainee string) ([]labs.Instance, error) {
	return c.db.Labs().ListInstances(ctx, labs.ListFilter{TraineeID: trainee, Limit: 200})
}

// wholeClassFromDB reads the class at once, as the server's sources do
// (live.WholeClass).
type wholeClassFromDB struct{ classFromDB }

func (c wholeClassFromDB) ClassRecords(ctx context.Context, ids []string, scenario string) ([]scoring.Event, error) {
	return c.db.Scoring().ClassEvents(ctx, ids, scenario)
}

func (c wholeClassFromDB) ClassLabs(ctx context.Context, ids []string) ([]labs.Instance, error) {
	return c.db.Labs().ListInstances(ctx, labs.ListFilter{Trainees: ids})
}

// foldedFromDB reads the class folded in the database, as the server's
// sources do now (live.ClassSummary).
type foldedFromDB struct{ wholeClassFromDB }

func (c foldedFromDB) ClassProgress(ctx context.Context, ids []string, scenario string) (scoring.ClassProgress, error) {
	return c.db.Scoring().ClassProgress(ctx, ids, scenario)
}

// BenchmarkLiveSnapshotFromDatabase is a connecting viewer's first data for
// a class of 500 trainees by 30 objectives (50 by 10 under -short), read
// from each database: every trainee has a wrong answer and a solve of every
// objective (30,000 records) and a running lab. Target: under a second. It
// reads the class three ways: two reads a trainee, every record of the
// class at once, and the class's records folded in the database (what the
// server does).
//
//	SAKIMORI_TEST_POSTGRES_URL=… go test -run '^$' -bench LiveSnapshot -benchtime 10x -timeout 30m ./store/
func BenchmarkLiveSnapshotFromDatabase(b *testing.B) {
	trainees, objectives := 500, 30
	if testing.Short() {
		trainees, objectives = 50, 10
	}
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			src := classFromDB{db: db}
			for o := range objectives {
				src.columns = append(src.columns, live.Column{ID: fmt.Sprintf("o%02d", o), Title: fmt.Sprintf("Objective %d", o)})
			}
			now := time.Now().UTC()
			for i := range trainees {
				id := fmt.Sprintf("t%04d", i)
				if err := db.Accounts().CreateUser(ctx, user(id, id+"@bench.test", "trainee")); err != nil {
					b.Fatal(err)
				}
				src.trainees = append(src.trainees, live.Member{ID: id, DisplayName: id})
				started := now.Add(-time.Hour)
				inst := labs.Instance{ID: "l" + id, TraineeID: id, ScenarioID: "s", State: labs.StateRunning, Step: "running",
					CreatedAt: started, UpdatedAt: started, StartedAt: &started, ExpiresAt: now.Add(time.Hour)}
				if err := db.Labs().CreateInstance(ctx, inst, trainees+1); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						k := int(next.Add(1)) - 1
						if k >= trainees*objectives {
							return
						}
						id, o := fmt.Sprintf("t%04d", k/objectives), fmt.Sprintf("o%02d", k%objectives)
						at := now.Add(-time.Duration(objectives-k%objectives) * time.Minute)
						for _, right := range []bool{false, true} {
							e := scoring.Event{ID: uuid.Must(uuid.NewV7()).String(), Kind: scoring.EventSubmission, TraineeID: id, InstanceID: "l" + id,
								ScenarioID: "s", ObjectiveID: o, Correct: right, At: at}
							if right {
								e.Points = 10
							}
							if err := db.Scoring().Record(ctx, e); err != nil {
								b.Error(err)
								return
							}
						}
					}
				}()
			}
			wg.Wait()
			for name, sources := range map[string]live.Sources{"one-read-a-trainee": src, "whole-class": wholeClassFromDB{src}, "folded": foldedFromDB{wholeClassFromDB{src}}} {
				b.Run(name, func(b *testing.B) {
					svc := live.NewService(sources, live.NewHub(), nil, nil)
					b.ReportAllocs()
					for b.Loop() {
						m, sub, err := svc.Open(ctx, cohorts.Actor{}, "c", "s")
						if err != nil {
							b.Fatal(err)
						}
						if len(m.Rows) != trainees || m.Row("t0007").Cells[objectives-1] != live.Solved || m.Row("t0007").LabState != labs.StateRunning {
							b.Fatalf("the matrix is not the class's")
						}
						svc.Hub().Close(sub)
					}
					b.ReportMetric(float64(trainees), "trainees")
				})
			}
		})
	}
}
