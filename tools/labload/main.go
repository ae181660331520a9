// Command labload measures the API under lab load, on one machine, with
// every request on loopback. It starts a real sakimori server (fresh data
// directory, its own subnet pool), signs in N trainees, and measures API
// latency three times: with no labs, with N labs running, and with hostile
// workloads (fork bomb, memory hog, CPU burn) in ten of them. It prints the
// percentiles and the ratios to the idle run.
//
//	go tool task build && go run ./tools/labload -labs 300
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/docker"
)

func main() {
	binary := flag.String("bin", "bin/sakimori", "the sakimori binary")
	n := flag.Int("labs", 50, "labs to run at once")
	requests := flag.Int("requests", 2000, "API requests per measurement")
	flag.Parse()
	if err := run(*binary, *n, *requests); err != nil {
		fmt.Fprintln(os.Stderr, "labload:", err)
		os.Exit(1)
	}
}

func run(binary string, n, requests int) error {
	srv, err := startServer(binary, n)
	if err != nil {
		return err
	}
	defer srv.stop()
	c := &client{base: srv.url}
	admin, err := c.setup(srv.setupCode)
	if err != nil {
		return err
	}
	fmt.Printf("signing in %d trainees\n", n)
	trainees, err := c.trainees(admin, n)
	if err != nil {
		return err
	}

	idle := c.measure(trainees, nil, requests)
	report("idle (no labs)", idle, idle)

	fmt.Printf("launching %d labs\n", n)
	start := time.Now()
	ids, err := c.launchAll(trainees)
	if err != nil {
		return err
	}
	defer c.stopAll(trainees, ids)
	fmt.Printf("all %d running after %.1f s\n", n, time.Since(start).Seconds())
	loaded := c.measure(trainees, ids, requests)
	report(fmt.Sprintf("%d labs running", n), loaded, idle)

	stopHostile, err := hostile(ids[:min(10, len(ids))])
	if err != nil {
		return err
	}
	time.Sleep(2 * time.Second) // let the hogs reach their limits
	underAttack := c.measure(trainees, ids, requests)
	stopHostile()
	report(fmt.Sprintf("%d labs, 10 hostile", n), underAttack, idle)
	return nil
}

type server struct {
	url, setupCode string
	cmd            *exec.Cmd
	dir            string
}

func startServer(binary string, n int) (*server, error) {
	dir, err := os.MkdirTemp("", "labload-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(),
		"SAKIMORI_DATA_DIR="+dir, "SAKIMORI_LISTEN=127.0.0.1:0", "SAKIMORI_LOG_LEVEL=warn",
		"SAKIMORI_LAB_POOL=10.226.0.0/16", fmt.Sprintf("SAKIMORI_LAB_CAPACITY=%d", n+10),
		"SAKIMORI_ACCESS_TTL=1h", "SAKIMORI_LOGIN_PER_MINUTE=100000")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, dir: dir}
	addr := regexp.MustCompile(`listening\s+(127\.0\.0\.1:\d+)`)
	code := regexp.MustCompile(`one-time code:\s*$`)
	sc := bufio.NewScanner(stderr)
	wantCode := false
	for sc.Scan() {
		line := sc.Text()
		if m := addr.FindStringSubmatch(line); m != nil {
			s.url = "http://" + m[1]
		}
		if wantCode && strings.TrimSpace(line) != "" {
			s.setupCode = strings.TrimSpace(line)
			break
		}
		wantCode = wantCode || code.MatchString(line)
	}
	go io.Copy(io.Discard, stderr)
	if s.url == "" || s.setupCode == "" {
		s.stop()
		return nil, fmt.Errorf("server did not start")
	}
	return s, nil
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
	os.RemoveAll(s.dir)
}

type client struct{ base string }

func (c *client) do(method, path, token string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode, nil
}

type session struct {
	AccessToken string `json:"access_token"`
}

func (c *client) setup(code string) (string, error) {
	var s session
	st, err := c.do("POST", "/api/v1/setup", "", map[string]string{"setup_code": code, "email": "admin@load.test", "password": "load test admin password"}, &s)
	if err != nil || st != 201 {
		return "", fmt.Errorf("setup: %d %v", st, err)
	}
	return s.AccessToken, nil
}

func (c *client) trainees(admin string, n int) ([]string, error) {
	tokens := make([]string, n)
	errs := make(chan error, n)
	parallel(n, 8, func(i int) {
		email := fmt.Sprintf("t%d@load.test", i)
		body := map[string]string{"email": email, "password": "load test password", "role": "trainee"}
		if st, err := c.do("POST", "/api/v1/users", admin, body, nil); err != nil || st != 201 {
			errs <- fmt.Errorf("create %s: %d %v", email, st, err)
			return
		}
		var s session
		if st, err := c.do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "load test password"}, &s); err != nil || st != 200 {
			errs <- fmt.Errorf("login %s: %d %v", email, st, err)
			return
		}
		tokens[i] = s.AccessToken
	})
	close(errs)
	return tokens, <-errs
}

type lab struct {
	ID    string `json:"id"`
	State string `json:"state"`
}

func (c *client) launchAll(trainees []string) ([]string, error) {
	ids := make([]string, len(trainees))
	errs := make(chan error, len(trainees))
	parallel(len(trainees), 8, func(i int) {
		var l lab
		if st, err := c.do("POST", "/api/v1/labs", trainees[i], map[string]string{"scenario": "orientation"}, &l); err != nil || st != 202 {
			errs <- fmt.Errorf("launch %d: %d %v", i, st, err)
			return
		}
		for l.State != "running" {
			if l.State == "failed" {
				errs <- fmt.Errorf("lab %s failed", l.ID)
				return
			}
			time.Sleep(500 * time.Millisecond)
			c.do("GET", "/api/v1/labs/"+l.ID, trainees[i], nil, &l)
		}
		ids[i] = l.ID
	})
	close(errs)
	return ids, <-errs
}

func (c *client) stopAll(trainees, ids []string) {
	parallel(len(ids), 8, func(i int) {
		if ids[i] != "" {
			c.do("DELETE", "/api/v1/labs/"+ids[i], trainees[i], nil, nil)
		}
	})
}

// measure sends requests API calls, eight at a time, spread over trainees:
// who am I, my labs, and (when labs run) my lab's state.
func (c *client) measure(trainees, ids []string, requests int) []time.Duration {
	lat := make([]time.Duration, requests)
	parallel(requests, 8, func(i int) {
		t := i % len(trainees)
		path := []string{"/api/v1/me", "/api/v1/labs"}[i%2]
		if ids != nil && i%3 == 0 {
			path = "/api/v1/labs/" + ids[t]
		}
		start := time.Now()
		c.do("GET", path, trainees[t], nil, nil)
		lat[i] = time.Since(start)
	})
	return lat
}

// hostile starts a fork bomb, a memory hog and CPU burners in each lab's
// workstation, through the engine (trainees have no exec API yet).
func hostile(ids []string) (func(), error) {
	e, err := docker.Connect("")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	attack := "(while :; do (sleep 30 &) ; done) 2>/dev/null & " +
		"(x=$(head -c 400000000 /dev/zero | tr '\\0' x)) 2>/dev/null & " +
		"yes > /dev/null & yes > /dev/null & wait"
	for _, id := range ids {
		s, err := e.Exec(ctx, id, "workstation", driver.ExecRequest{Command: []string{"sh", "-c", attack}})
		if err != nil {
			cancel()
			return nil, err
		}
		go io.Copy(io.Discard, s)
	}
	return func() { cancel(); e.Close() }, nil
}

func report(name string, lat, idle []time.Duration) {
	p := func(d []time.Duration, q int) time.Duration {
		s := append([]time.Duration(nil), d...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[min(len(s)-1, len(s)*q/100)]
	}
	fmt.Printf("%-24s p50 %7.2f ms  p99 %7.2f ms  (p99 ×%.2f of idle)\n", name,
		ms(p(lat, 50)), ms(p(lat, 99)), float64(p(lat, 99))/float64(p(idle, 99)))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func parallel(n, width int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, width)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() { defer wg.Done(); defer func() { <-sem }(); fn(i) }()
	}
	wg.Wait()
}
