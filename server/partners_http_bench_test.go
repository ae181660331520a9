package server_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// The partner API measured through the HTTP server, as a university's
// client meets it: a real listener, a real client, every call through the
// token gate, the rate limiter and the audit log. The store's own figures
// (store/partners_bench_test.go) are the same reads without the server.
//
//	SAKIMORI_TEST_POSTGRES_URL=postgres://… go test -run '^$' -bench 'OverHTTP' -benchtime 3x ./server/

// benchSecret is the partner token the benchmarks call with.
const benchSecret = "skp_benchbenchbenchbenchbenchbenchbenchbenchbenchbench"

// benchPartner is a listening range over a database of the dialect, with
// organisation o1's cohort c-o1 of n trainees, each with the records
// record(trainee, i) gives, and a partner token of every scope.
type benchPartner struct {
	base string
	db   *store.DB
}

func newBenchPartner(b *testing.B, dialect string, n, perTrainee int, record func(trainee, i int) []any) benchPartner {
	b.Helper()
	var dbURL string
	rangeDB = func(t testing.TB) *store.DB {
		db, u := storetest.OpenWithURL(t, dialect)
		dbURL = u
		return db
	}
	defer func() { rangeDB = func(t testing.TB) *store.DB { return storetest.Open(t, "sqlite") } }()
	rg := newRangeWithLabs(b, fakeLabs(), withPartnerLimit(1_000_000))
	driverName, dsn := "pgx", dbURL
	if dialect == "sqlite" {
		driverName, dsn = "sqlite", strings.TrimPrefix(dbURL, "sqlite:")
	}
	conn, err := sql.Open(driverName, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	ctx := context.Background()
	joined := time.Now().UTC().Add(-time.Hour)
	bulk := func(table, columns string, rows int, row func(i int) []any) {
		cols := len(strings.Split(columns, ","))
		for start := 0; start < rows; start += 500 {
			end := min(start+500, rows)
			var args []any
			marks := make([]string, 0, end-start)
			for i := start; i < end; i++ {
				args = append(args, row(i)...)
				ph := make([]string, cols)
				for c := range ph {
					ph[c] = "?"
					if dialect == "postgres" {
						ph[c] = "$" + strconv.Itoa(len(args)-cols+c+1)
					}
				}
				marks = append(marks, "("+strings.Join(ph, ",")+")")
			}
			if _, err := conn.ExecContext(ctx, "INSERT INTO "+table+" ("+columns+") VALUES "+strings.Join(marks, ","), args...); err != nil {
				b.Fatal(err)
			}
		}
	}
	bulk("organisations", "id, name, slug, kind, created_at", 1, func(int) []any { return []any{"o1", "東京大学", "utokyo", "university", joined} })
	bulk("cohorts", "id, organisation_id, name, starts_at, ends_at, join_code, created_at", 1, func(int) []any {
		return []any{"c-o1", "o1", "情報セキュリティ演習", joined, joined.Add(24 * time.Hour), "CODE", joined}
	})
	bulk("users", "id, email, display_name, role, password_hash, created_at", n, func(i int) []any {
		return []any{fmt.Sprintf("t%06d", i), fmt.Sprintf("t%06d@uni.ac.jp", i), fmt.Sprintf("山田 花子 %d", i), "trainee", "x", joined}
	})
	bulk("cohort_members", "id, cohort_id, user_id, role, via, sourced_id, joined_at", n, func(i int) []any {
		return []any{fmt.Sprintf("m%06d", i), "c-o1", fmt.Sprintf("t%06d", i), "member", "import", fmt.Sprintf("s%06d", i), joined}
	})
	if perTrainee > 0 {
		bulk("scoring_events", "id, kind, trainee_id, instance_id, scenario_id, objective_id, correct, points, created_at", n*perTrainee, func(i int) []any {
			return record(i%n, i/n)
		})
	}
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	err = rg.db.Partners().CreateToken(ctx, partners.Token{ID: "bench", OrganisationID: "o1", Name: "bench", Scopes: partners.Scopes,
		CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}, partners.HashSecret(benchSecret))
	if err != nil {
		b.Fatal(err)
	}
	return benchPartner{base: rg.listen(), db: rg.db}
}

// get calls the partner API and hands the reply's body to read.
func (p benchPartner) get(b *testing.B, path string, read func(io.Reader) error) {
	b.Helper()
	req, _ := http.NewRequest("GET", p.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+benchSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		raw, _ := io.ReadAll(resp.Body)
		b.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
	}
	if err := read(resp.Body); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecordFeedOverHTTP pages through a feed of 50,000 records
// (1,000 trainees × 50) from the start, 1,000 a page, over HTTP.
func BenchmarkRecordFeedOverHTTP(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			const trainees, each = 1000, 50
			at := time.Now().UTC()
			p := newBenchPartner(b, dialect, trainees, each, func(t, i int) []any {
				return []any{fmt.Sprintf("r%06d-%02d", t, i), "submission", fmt.Sprintf("t%06d", t), "i1", "cloud-ir", fmt.Sprintf("o%d", i), true, 10, at}
			})
			b.ResetTimer()
			start := time.Now()
			read := 0
			for range b.N {
				cursor := ""
				for {
					var page struct {
						Records []json.RawMessage `json:"records"`
						Next    string            `json:"next_cursor"`
					}
					p.get(b, "/api/partner/v1/records?limit="+strconv.Itoa(partners.MaxFeedLimit)+"&cursor="+cursor, func(r io.Reader) error {
						return json.NewDecoder(r).Decode(&page)
					})
					read += len(page.Records)
					cursor = page.Next
					if len(page.Records) == 0 {
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

// BenchmarkRosterCSVExportOverHTTP downloads the roster and the progress
// CSV of a cohort of 200,000 trainees over HTTP and reports, at their
// highest while the download runs (sampled every 5 ms), the heap in use
// and the process's resident memory above what they were before it.
func BenchmarkRosterCSVExportOverHTTP(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			const trainees = 200_000
			p := newBenchPartner(b, dialect, trainees, 0, nil)
			for _, kind := range []string{"roster", "progress"} {
				b.Run(kind, func(b *testing.B) {
					runtime.GC()
					heap0, rss0 := heapInUse(), residentBytes()
					var heapPeak, rssPeak atomic.Uint64
					stop := make(chan struct{})
					go func() {
						for {
							select {
							case <-stop:
								return
							case <-time.After(5 * time.Millisecond):
								heapPeak.Store(max(heapPeak.Load(), heapInUse()))
								rssPeak.Store(max(rssPeak.Load(), residentBytes()))
							}
						}
					}()
					b.ResetTimer()
					var written, lines int64
					for range b.N {
						p.get(b, "/api/partner/v1/cohorts/c-o1/exports/"+kind+"?format=csv", func(r io.Reader) error {
							sc := bufio.NewScanner(r)
							for sc.Scan() {
								lines++
								written += int64(len(sc.Bytes()) + 1)
							}
							return sc.Err()
						})
					}
					b.StopTimer()
					close(stop)
					if lines != int64(b.N)*(trainees+1) {
						b.Fatalf("%d lines, want %d", lines, int64(b.N)*(trainees+1))
					}
					b.ReportMetric(float64(heapPeak.Load()-min(heapPeak.Load(), heap0))/(1<<20), "MB-heap-above-idle")
					b.ReportMetric(float64(rssPeak.Load()-min(rssPeak.Load(), rss0))/(1<<20), "MB-RSS-above-idle")
					b.ReportMetric(float64(written)/float64(b.N)/(1<<20), "MB-written")
				})
			}
		})
	}
}

// BenchmarkCohortCompetenciesOverHTTP reads the competencies of a cohort of
// 10,000 trainees with 50 records each over HTTP: the work role × trainee
// matrix, the heat map and the gaps, worked out from 500,000 records. Each
// trainee has solved every objective of the built-in catalogue once and
// answered wrong the rest of their 50.
func BenchmarkCohortCompetenciesOverHTTP(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			objectives := catalogueObjectives(b)
			const trainees, each = 10_000, 50
			at := time.Now().UTC()
			p := newBenchPartner(b, dialect, trainees, each, func(t, i int) []any {
				o := objectives[i%len(objectives)]
				return []any{fmt.Sprintf("r%06d-%02d", t, i), "submission", fmt.Sprintf("t%06d", t), "i1", o[0], o[1], i < len(objectives), 10, at}
			})
			b.ResetTimer()
			for range b.N {
				var v struct {
					Trainees []json.RawMessage `json:"trainees"`
				}
				p.get(b, "/api/partner/v1/cohorts/c-o1/competencies", func(r io.Reader) error { return json.NewDecoder(r).Decode(&v) })
				if len(v.Trainees) != trainees {
					b.Fatalf("%d trainees", len(v.Trainees))
				}
			}
		})
	}
}

// catalogueObjectives are the built-in catalogue's (scenario, objective) pairs.
func catalogueObjectives(b *testing.B) [][2]string {
	b.Helper()
	svc := labsWith(b, storetest.Open(b, "sqlite"), fakeLabs())
	var out [][2]string
	for _, s := range svc.Catalogue().All() {
		for _, o := range s.Objectives {
			out = append(out, [2]string{s.ID, o.ID})
		}
	}
	return out
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// residentBytes is the process's resident set (Linux), or 0.
func residentBytes() uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
