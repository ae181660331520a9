package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
)

// BenchmarkSolveReachesOpenViews is one solve reaching every open live
// view of a class, end to end over HTTP: SAKIMORI_BENCH_VIEWS (default
// 500; 20 under -short) matrix streams are opened on a listening server,
// four for each of a quarter as many range admins (a person's limit), and
// each has its snapshot; then the trainee submits the flag, and the clock
// runs from the request's start until each stream has read its "cell"
// event. The streams are read in this process, as a browser reads them.
//
//	go test -run '^$' -bench SolveReachesOpenViews -benchtime 3x ./server/
func BenchmarkSolveReachesOpenViews(b *testing.B) {
	n := 500
	if testing.Short() {
		n = 20
	}
	if v, err := strconv.Atoi(os.Getenv("SAKIMORI_BENCH_VIEWS")); err == nil && v > 0 {
		n = v
	}
	d := fakeLabs()
	rg := newRangeWithLabs(b, d)
	admin := rg.setupAdmin()
	org := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Academy", "slug": "academy", "kind": "academy"}, bearer(admin)...)
	expect(b, org, 201, "")
	c := rg.call("POST", "/api/v1/cohorts", cohortBody(org.body["id"].(string), "Orientation class"), bearer(admin)...)
	expect(b, c, 201, "")
	path := "/api/v1/cohorts/" + c.body["id"].(string) + "/live?scenario=orientation"
	base := rg.listen()
	addr := strings.TrimPrefix(base, "http://")

	var p50, p99, last []time.Duration
	for b.Loop() {
		b.StopTimer()
		trainee, _ := rg.userWithRole(fmt.Sprintf("t%d@range.test", len(p50)), accounts.RoleTrainee)
		expect(b, rg.call("POST", "/api/v1/cohorts/join", map[string]string{"code": c.body["join_code"].(string)}, bearer(trainee)...), 200, "")
		lab := runningLab(b, rg, trainee)
		// New viewers each round: the last round's streams are only
		// noticed gone at their next heartbeat, and hold their places.
		viewers := make([]string, (n+3)/4)
		for i := range viewers {
			u, err := rg.accounts.CreateUser(context.Background(), accounts.NewUser{Email: fmt.Sprintf("v%d-%04d@range.test", len(p50), i), Password: "long enough password", Role: accounts.RoleAdmin})
			if err != nil {
				b.Fatal(err)
			}
			if viewers[i], _, err = rg.tokens.Issue(u); err != nil {
				b.Fatal(err)
			}
		}
		flag := flagIn(b, d, lab)

		ready, got := make(chan error, n), make(chan time.Time, n)
		conns := make([]net.Conn, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					ready <- err
					return
				}
				conns[i] = conn
				fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", path, addr, viewers[i/4])
				r := bufio.NewReader(conn)
				want := "event: snapshot"
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						if want == "event: snapshot" {
							ready <- err
						}
						return
					}
					if strings.HasPrefix(line, "HTTP/1.1 ") && !strings.HasPrefix(line, "HTTP/1.1 200") {
						ready <- fmt.Errorf("view %d: %s", i, line)
						return
					}
					if strings.TrimSpace(line) != want {
						continue
					}
					if want == "event: cell" {
						got <- time.Now()
						return
					}
					want = "event: cell"
					ready <- nil
				}
			}()
		}
		for range n {
			if err := <-ready; err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		expect(b, rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": flag}, bearer(trainee)...), 200, "")
		took := make([]time.Duration, n)
		timeout := time.After(30 * time.Second)
		for i := range took {
			select {
			case at := <-got:
				took[i] = at.Sub(start)
			case <-timeout:
				b.Fatalf("%d of %d views had the solve after 30 s", i, n)
			}
		}
		b.StopTimer()
		for _, conn := range conns {
			conn.Close()
		}
		wg.Wait()
		slices.Sort(took)
		p50, p99, last = append(p50, took[n/2]), append(p99, took[n*99/100]), append(last, took[n-1])
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "views")
	b.ReportMetric(ms(median(p50)), "ms-p50")
	b.ReportMetric(ms(median(p99)), "ms-p99")
	b.ReportMetric(ms(median(last)), "ms-all")
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
