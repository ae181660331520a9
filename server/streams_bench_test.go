package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
)

// BenchmarkOpenStreams is the memory a server spends on each open live
// stream, and the API's p99 beside them. It opens SAKIMORI_BENCH_STREAMS
// (default 10,000; 200 under -short) message streams, four a person, the
// way trainees' open lab pages hold them. The clients run in a process of
// their own, so the server's file limit holds the whole count and the
// figure is the server's alone: heap and goroutine stacks, after a
// collection, before and with the streams open. Socket buffers in the
// kernel are not in it. Run:
//
//	go test -run '^$' -bench OpenStreams -benchtime 1x ./server/
func BenchmarkOpenStreams(b *testing.B) {
	n := 10_000
	if testing.Short() {
		n = 200
	}
	if v, err := strconv.Atoi(os.Getenv("SAKIMORI_BENCH_STREAMS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		rg := newRangeWithLabs(b, fakeLabs())
		base := rg.listen()
		tokens := make([]string, (n+3)/4)
		for i := range tokens {
			u, err := rg.accounts.CreateUser(context.Background(), accounts.NewUser{Email: fmt.Sprintf("s%05d@range.test", i), Password: "long enough password", Role: accounts.RoleTrainee})
			if err != nil {
				b.Fatal(err)
			}
			if tokens[i], _, err = rg.tokens.Issue(u); err != nil {
				b.Fatal(err)
			}
		}
		quiet := apiP99(b, base, tokens[0])
		before := inUse()

		f, err := os.CreateTemp(b.TempDir(), "tokens")
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintln(f, strings.Join(tokens, "\n"))
		f.Close()
		clients := exec.Command(os.Args[0], "-test.run=^TestStreamClients$")
		clients.Env = append(os.Environ(), "SAKIMORI_STREAM_CLIENTS="+base, "SAKIMORI_STREAM_TOKENS="+f.Name(), "SAKIMORI_BENCH_STREAMS="+strconv.Itoa(n))
		clients.Stderr = os.Stderr
		stdin, _ := clients.StdinPipe()
		stdout, _ := clients.StdoutPipe()
		start := time.Now()
		if err := clients.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "open "+strconv.Itoa(n) {
			b.Fatalf("the clients: %q %v", line, err)
		}
		opened := time.Since(start)
		with := inUse()
		busy := apiP99(b, base, tokens[0])
		stdin.Close()
		clients.Wait()

		b.ReportMetric(float64(n), "streams")
		b.ReportMetric(float64(with-before)/float64(n)/1024, "KiB/stream")
		b.ReportMetric(opened.Seconds(), "s-to-open")
		b.ReportMetric(float64(quiet.Microseconds())/1000, "ms-p99-quiet")
		b.ReportMetric(float64(busy.Microseconds())/1000, "ms-p99-with-streams")
	}
}

// inUse is the heap and goroutine stacks in use after a collection.
func inUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// apiP99 is the 99th percentile of 1,000 GET /api/v1/me, one at a time.
func apiP99(b *testing.B, base, token string) time.Duration {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	times := make([]time.Duration, 1000)
	for i := range times {
		req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("GET /me: %v %v", resp, err)
		}
		resp.Body.Close()
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[len(times)*99/100]
}

// TestStreamClients is BenchmarkOpenStreams' client process: it opens the
// streams, says so on stdout, and holds them until stdin closes. Run alone
// it does nothing.
func TestStreamClients(t *testing.T) {
	base := os.Getenv("SAKIMORI_STREAM_CLIENTS")
	if base == "" {
		t.Skip("the client side of BenchmarkOpenStreams")
	}
	n, _ := strconv.Atoi(os.Getenv("SAKIMORI_BENCH_STREAMS"))
	raw, err := os.ReadFile(os.Getenv("SAKIMORI_STREAM_TOKENS"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := strings.Fields(string(raw))
	addr := strings.TrimPrefix(base, "http://")
	conns := make([]net.Conn, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				fmt.Fprintf(c, "GET /api/v1/me/messages/stream HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n", addr, tokens[i/4])
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						t.Errorf("stream %d: %v", i, err)
						return
					}
					if strings.HasPrefix(line, "HTTP/1.1 ") && !strings.HasPrefix(line, "HTTP/1.1 200") {
						t.Errorf("stream %d: %s", i, line)
						return
					}
					if strings.HasPrefix(line, "retry:") {
						break
					}
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	fmt.Printf("open %d\n", n)
	bufio.NewReader(os.Stdin).ReadString('\n') // until the benchmark closes it
	for _, c := range conns {
		c.Close()
	}
}
