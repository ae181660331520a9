package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

// labApp stands in for a lab's web app that misbehaves: on /endless it
// answers forever as fast as it can, on /trickle a byte now and then, on
// /silent never; /small is a plain page. live counts its execs (nc) still
// running in the lab.
type labApp struct{ live atomic.Int32 }

func (a *labApp) install(f *drivertest.Fake) {
	f.Handle("nc", func(ctx context.Context, p *drivertest.Process) int {
		a.live.Add(1)
		defer a.live.Add(-1)
		req, err := http.ReadRequest(bufio.NewReader(p.Stdin))
		if err != nil {
			return 1
		}
		head := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
		switch req.URL.Path {
		case "/small":
			_, err = io.WriteString(p.Stdout, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
		case "/silent":
			<-ctx.Done()
		case "/endless":
			chunk := strings.Repeat("endless ", 4096)
			for _, err = io.WriteString(p.Stdout, head); err == nil; _, err = io.WriteString(p.Stdout, chunk) {
			}
		case "/trickle":
			for _, err = io.WriteString(p.Stdout, head); err == nil; _, err = io.WriteString(p.Stdout, ".") {
				select {
				case <-ctx.Done():
					return 137
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
		if err != nil {
			return 1
		}
		return 0
	})
}

// waitNoExec waits until no exec of the app is left in the lab.
func (a *labApp) waitNoExec(t *testing.T, within time.Duration, after string) {
	t.Helper()
	for deadline := time.Now().Add(within); a.live.Load() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d execs still in the lab %s after %s", a.live.Load(), within, after)
		}
	}
}

func webLink(t *testing.T, rg *range_, token, lab string) string {
	t.Helper()
	r := rg.call("POST", "/api/v1/labs/"+lab+"/web", map[string]any{"host": "web", "port": 8080}, bearer(token)...)
	expect(t, r, 201, "")
	return r.body["url"].(string)
}

// heapPeak samples the server's heap until stopped and reports its peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// docs/security.md, Web and API: 20 endless answers at once, from two
// trainees over several links, stream without piling up in the server's
// memory; beyond 8 a person and 12 a lab in flight, more links or not,
// requests are refused; and when the browsers go, so do the execs.
func TestLabWebProxyStaysBounded(t *testing.T) {
	f := fakeLabs()
	var app labApp
	app.install(f)
	rg := newRangeWithLabs(t, f)
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test", "bob@range.test")
	alicesLab, bobsLab := runningLab(t, rg, alice), runningLab(t, rg, bob)
	var links []string // alice's over four links, bob's over two
	for i := range 20 {
		if i%2 == 0 {
			links = append(links, webLink(t, rg, alice, alicesLab))
		} else {
			links = append(links, webLink(t, rg, bob, bobsLab))
		}
	}
	client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := heapPeak()

	var (
		mu      sync.Mutex
		held    []io.Closer
		refused = map[string]int{}
		wg      sync.WaitGroup
	)
	get := func(link string) {
		defer wg.Done()
		resp, err := client.Get(base + link + "endless")
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if resp.StatusCode != 200 {
			var e struct{ Error struct{ Code string } }
			_ = json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			refused[fmt.Sprint(resp.StatusCode, " ", e.Error.Code)]++
			return
		}
		// The browser reads a little and then nothing: the lab is held back.
		if n, err := io.CopyN(io.Discard, resp.Body, 256<<10); err != nil {
			t.Errorf("the stream broke after %d bytes: %v", n, err)
		}
		held = append(held, resp.Body)
	}
	wg.Add(len(links))
	for _, link := range links {
		go get(link)
	}
	wg.Wait()
	if len(held) != 16 || refused["429 too_many_web_requests"] != 4 {
		t.Errorf("%d streaming, refused %v; want 16 streaming (8 each), 4 refused", len(held), refused)
	}

	// Staff watching alice's lab fill it to 12.
	staffLink := webLink(t, rg, teacher, alicesLab)
	wg.Add(5)
	for range 5 {
		go get(staffLink)
	}
	wg.Wait()
	if len(held) != 20 || refused["429 too_many_web_requests"] != 5 {
		t.Errorf("after staff: %d streaming, refused %v; want 20 streaming, 5 refused", len(held), refused)
	}
	time.Sleep(500 * time.Millisecond) // time for anything to pile up
	if grew := int64(peak()) - int64(before.HeapAlloc); grew > 48<<20 {
		t.Errorf("the server's heap grew by %d MiB under endless answers", grew>>20)
	}

	for _, body := range held {
		body.Close() // the browsers go
	}
	app.waitNoExec(t, 5*time.Second, "the browsers went")
	if r := rg.call("GET", links[0]+"small", nil); r.status != 200 {
		t.Fatalf("the places were not given back: %d %s", r.status, r.raw)
	}
}

// docs/security.md, Web and API: a lab that never answers, or trickles
// forever, holds its exec no longer than the deadline; a browser that goes
// takes its exec with it, deadline or not.
func TestLabWebProxyEndsItsExecs(t *testing.T) {
	client := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	f := fakeLabs()
	var app labApp
	app.install(f)
	rg := newRangeWithLabs(t, f, withLabWebDeadline(3*time.Second))
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	link := webLink(t, rg, alice, runningLab(t, rg, alice))

	t.Run("a lab that never answers", func(t *testing.T) {
		began := time.Now()
		resp, err := client.Get(base + link + "silent")
		if err != nil {
			t.Fatalf("no answer after %s: %v", time.Since(began), err)
		}
		resp.Body.Close()
		if resp.StatusCode != 504 || time.Since(began) > 6*time.Second {
			t.Errorf("status %d after %s, want 504 after the 3s deadline", resp.StatusCode, time.Since(began))
		}
		app.waitNoExec(t, 2*time.Second, "the deadline")
	})

	t.Run("a lab that trickles", func(t *testing.T) {
		began := time.Now()
		resp, err := client.Get(base + link + "trickle")
		if err != nil {
			t.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body) // cut at the deadline
		resp.Body.Close()
		if took := time.Since(began); n == 0 || took > 6*time.Second {
			t.Errorf("%d bytes over %s, want some, cut at the 3s deadline", n, took)
		}
		app.waitNoExec(t, 2*time.Second, "the deadline")
	})

	t.Run("a browser that goes", func(t *testing.T) {
		resp, err := client.Get(base + link + "trickle")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, resp.Body, 5); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		app.waitNoExec(t, time.Second, "the browser went, well before the deadline")
	})
}
