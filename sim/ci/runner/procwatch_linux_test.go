package runner

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// slowListener serves HTTP on host, holding each request ~300 ms so the
// client's connection stays open long enough to be seen, as an upload
// does. It returns the port.
func slowListener(t *testing.T, host string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", host, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "ok\n")
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// connectLine is a shell line that connects to host:port and holds the
// connection a while, and the program that will hold the socket: curl
// where this machine has it, else bash's own /dev/tcp.
func connectLine(t *testing.T, host string, port int) (line, image string) {
	t.Helper()
	prog, line := "curl", fmt.Sprintf("curl -s -o /dev/null http://%s:%d/upload/v2", host, port)
	if _, err := exec.LookPath("curl"); err != nil {
		// Builtins only: a child would hold the socket too.
		prog, line = "bash", fmt.Sprintf("bash -c 'exec 3<>/dev/tcp/%s/%d; printf \"GET / HTTP/1.0\\r\\n\\r\\n\" >&3; read -r -u 3 status'", host, port)
	}
	return line, realPath(t, prog)
}

func realPath(t *testing.T, prog string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Skipf("no %s here: %v", prog, err)
	}
	if p, err = filepath.EvalSymlinks(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// collected gathers the events a watcher or a fake CI receives.
type collected struct {
	mu     sync.Mutex
	events []any
}

func (c *collected) add(e any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

func TestWatcherSeesAJobsProgramAndItsConnection(t *testing.T) {
	if _, err := os.Stat("/proc/self/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp here")
	}
	port := slowListener(t, "127.0.0.2")
	line, clientImage := connectLine(t, "127.0.0.2", port)
	bash := realPath(t, "bash")
	// "; true" keeps bash from executing the last command in its own
	// place, so the client is the bash's child, as a script's lines are.
	cmd := exec.Command("bash", "-c", line+"; true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addrs, err := ParseAddresses(`{"127.0.0.2": {"ip": "104.248.94.23", "name": "uploads.coverlytics-io.example"},
		"127.0.0.1": {"ip": "35.170.12.4", "name": "runner.acme.example"}}`)
	if err != nil {
		t.Fatal(err)
	}
	var got collected
	fields := JobFields{Computer: "runner", Project: "acme/api", Pipeline: 42, Job: 17}
	w := newWatcher(cmd.Process.Pid, fields, addrs, got.add)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.watch(ctx, watchEvery) }()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	cancel()
	<-done

	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	var starts []ProcessCreation
	var conns []NetworkConnection
	for _, e := range got.events {
		switch e := e.(type) {
		case ProcessCreation:
			starts = append(starts, e)
		case NetworkConnection:
			conns = append(conns, e)
		}
	}
	byImage := map[string][]ProcessCreation{}
	for _, s := range starts {
		byImage[s.Image] = append(byImage[s.Image], s)
		if s.EventID != 1 || s.Category != "process_creation" || s.Computer != "runner" || s.Job != 17 ||
			s.Pipeline != 42 || s.Project != "acme/api" || s.User != me.Username {
			t.Errorf("process event's fields: %+v", s)
		}
		if _, err := time.Parse(timeLayout, s.UtcTime); err != nil {
			t.Errorf("UtcTime %q: %v", s.UtcTime, err)
		}
	}
	root := byImage[bash]
	if len(root) == 0 || root[0].ProcessID != cmd.Process.Pid || !strings.HasSuffix(root[0].CommandLine, "; true") {
		t.Fatalf("the job's bash was not reported as started: %+v", starts)
	}
	if clientImage != bash {
		client := byImage[clientImage]
		if len(client) != 1 {
			t.Fatalf("%s reported %d times, want once: %+v", clientImage, len(client), starts)
		}
		if c := client[0]; c.ParentProcessID != cmd.Process.Pid || c.ParentImage != bash || c.CommandLine != line {
			t.Errorf("%s's start: %+v", clientImage, c)
		}
	}

	if len(conns) != 1 {
		t.Fatalf("%d connection events, want one: %+v", len(conns), conns)
	}
	c := conns[0]
	want := NetworkConnection{
		JobFields: fields.at(time.Time{}, 3, "network_connection", me.Username),
		ProcessID: c.ProcessID, Image: clientImage, CommandLine: c.CommandLine, Protocol: "tcp", Initiated: "true",
		SourceIP: "35.170.12.4", SourcePort: c.SourcePort,
		DestinationIP: "104.248.94.23", DestinationHostname: "uploads.coverlytics-io.example", DestinationPort: port,
	}
	want.UtcTime = c.UtcTime
	if c != want {
		t.Errorf("connection event\n got %+v\nwant %+v", c, want)
	}
	if c.SourcePort == 0 || c.SourcePort == port {
		t.Errorf("source port %d is not the client's own", c.SourcePort)
	}
}
