package store_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// insertRows adds n rows to table in statements of 500 rows, row(i)
// giving each row's values.
func insertRows(b *testing.B, db *store.DB, table, columns string, n int, row func(i int) []any) {
	b.Helper()
	cols := len(strings.Split(columns, ","))
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	for start := 0; start < n; start += 500 {
		end := min(start+500, n)
		var args []any
		marks := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
			marks = append(marks, one)
		}
		q := "INSERT INTO " + table + " (" + columns + ") VALUES " + strings.Join(marks, ",")
		if db.Dialect() == "postgres" {
			q = numbered(q)
		}
		if _, err := db.Exec(context.Background(), q, args...); err != nil {
			b.Fatal(err)
		}
	}
}

// numbered turns ? placeholders into PostgreSQL's $1, $2, ….
func numbered(q string) string {
	var sb strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&sb, "$%d", n)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// cohortOf stores organisation o1 with cohort c-o1 of n trainees, each
// with perTrainee records.
func cohortOf(b *testing.B, db *store.DB, n, perTrainee int) {
	b.Helper()
	joined := time.Now().UTC().Add(-time.Hour)
	_, err := db.Exec(ctx, q(db, `INSERT INTO organisations (id, name, slug, kind, created_at) VALUES ('o1', '東京大学', 'utokyo', 'university', ?)`), joined)
	mustB(b, err)
	_, err = db.Exec(ctx, q(db, `INSERT INTO cohorts (id, organisation_id, name, starts_at, ends_at, join_code, created_at) VALUES ('c-o1', 'o1', 'Class', ?, ?, 'CODE', ?)`),
		joined, joined.Add(24*time.Hour), joined)
	mustB(b, err)
	insertRows(b, db, "users", "id, email, display_name, role, password_hash, created_at", n, func(i int) []any {
		return []any{fmt.Sprintf("t%06d", i), fmt.Sprintf("t%06d@uni.ac.jp", i), fmt.Sprintf("山田 花子 %d", i), "trainee", "x", joined}
	})
	insertRows(b, db, "cohort_members", "id, cohort_id, user_id, role, via, sourced_id, joined_at", n, func(i int) []any {
		return []any{fmt.Sprintf("m%06d", i), "c-o1", fmt.Sprintf("t%06d", i), "member", "import", fmt.Sprintf("s%06d", i), joined}
	})
	at := time.Now().UTC()
	insertRows(b, db, "scoring_events", "id, kind, trainee_id, instance_id, scenario_id, objective_id, correct, points, created_at", n*perTrainee, func(i int) []any {
		return []any{fmt.Sprintf("r%08d", i), "submission", fmt.Sprintf("t%06d", i%n), "i1", "cloud-ir", fmt.Sprintf("o%d", i/n), true, 10, at}
	})
	// A server's statistics are kept by autovacuum (PostgreSQL) or
	// gathered at will (SQLite); fresh bulk loads have none.
	_, err = db.Exec(ctx, "ANALYZE")
	mustB(b, err)
}

func q(db *store.DB, s string) string {
	if db.Dialect() == "postgres" {
		return numbered(s)
	}
	return s
}

func mustB(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecordFeed reads a feed of 50,000 records from the start in
// pages of 1,000 through the partners service (cursors signed and read).
func BenchmarkRecordFeed(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			const trainees, each = 1000, 50
			cohortOf(b, db, trainees, each)
			svc := partners.NewService(db.Partners(), nil, nil, []byte("bench key"), nil)
			tok := partners.Token{OrganisationID: "o1", Scopes: []partners.Scope{partners.ReadRecords}}
			b.ResetTimer()
			start := time.Now()
			read := 0
			for range b.N {
				cursor := ""
				for {
					p, err := svc.Feed(ctx, tok, cursor, partners.MaxFeedLimit)
					mustB(b, err)
					read += len(p.Records)
					cursor = p.Next
					if len(p.Records) == 0 {
						break
					}
				}
			}
			b.ReportMetric(float64(read)/time.Since(start).Seconds(), "records/s")
			if read != b.N*trainees*each {
				b.Fatalf("read %d records, want %d", read, b.N*trainees*each)
			}
		})
	}
}

// BenchmarkRosterCSVExport streams the CSV roster of a cohort of 200,000
// trainees and reports the heap in use above what it was before, at its
// highest, sampled every 5 ms.
func BenchmarkRosterCSVExport(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			db := storetest.Open(b, dialect)
			const trainees = 200_000
			cohortOf(b, db, trainees, 0)
			svc := partners.NewService(db.Partners(), cohorts.NewService(db.Cohorts(), nil, nil), nil, []byte("bench key"), nil)
			tok := partners.Token{OrganisationID: "o1", Scopes: partners.Scopes}
			for _, kind := range []partners.ExportKind{partners.RosterExport, partners.ProgressExport} {
				b.Run(string(kind), func(b *testing.B) {
					runtime.GC()
					var idle runtime.MemStats
					runtime.ReadMemStats(&idle)
					var peak atomic.Uint64
					stop := make(chan struct{})
					go func() {
						var m runtime.MemStats
						for {
							select {
							case <-stop:
								return
							case <-time.After(5 * time.Millisecond):
								runtime.ReadMemStats(&m)
								if m.HeapInuse > peak.Load() {
									peak.Store(m.HeapInuse)
								}
							}
						}
					}()
					b.ResetTimer()
					var written int64
					for range b.N {
						ex, err := svc.Export(ctx, tok, "c-o1", kind, partners.CSV)
						mustB(b, err)
						w := &counter{w: io.Discard}
						mustB(b, ex.WriteTo(ctx, w))
						written += w.n
					}
					b.StopTimer()
					close(stop)
					b.ReportMetric(float64(peak.Load()-min(peak.Load(), idle.HeapInuse))/(1<<20), "MB-above-idle")
					b.ReportMetric(float64(written)/float64(b.N)/(1<<20), "MB-written")
				})
			}
		})
	}
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return c.w.Write(p) }
