package drivertest

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Without a terminal: output, exit codes, input until CloseWrite, the
// host's environment with the request's added, and the host's own user
// and working directory.
func (s *suite) execWithoutTerminal(t *testing.T) {
	d := s.newDriver(t)
	lab := launched(t, d, s.lab(t))
	running(t, d, lab.ID)
	for _, c := range []struct {
		cmd  []string
		out  string
		code int
	}{
		{[]string{"echo", "hello", "range"}, "hello range\n", 0},
		{[]string{"true"}, "", 0},
		{[]string{"false"}, "", 1},
		{[]string{"sh", "-c", "exit 3"}, "", 3},
		{[]string{"pwd"}, "/tmp\n", 0},
		{[]string{"id", "-u"}, "1000\n", 0},
	} {
		if out, code := run(t, d, lab.ID, "box", c.cmd...); out != c.out || code != c.code {
			t.Errorf("%q: exit %d, %q; want %d, %q", c.cmd, code, out, c.code, c.out)
		}
	}

	ctx, cancel := context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	sess, err := d.Exec(ctx, lab.ID, "box", driver.ExecRequest{Command: []string{"env"}, Env: []string{"ASKED=yes"}})
	if err != nil {
		t.Fatal(err)
	}
	out := finish(t, sess)
	if !contains(out, "LAB_MARK=mark-of-"+lab.ID) || !contains(out, "ASKED=yes") {
		t.Errorf("env lacks the host's or the request's variables: %q", out)
	}

	sess, err = d.Exec(ctx, lab.ID, "box", driver.ExecRequest{Command: []string{"cat"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	got := collect(sess)
	fmt.Fprint(sess, "first line\n")
	got.waitFor(t, "first line\n")
	fmt.Fprint(sess, "second")
	if err := sess.CloseWrite(); err != nil {
		t.Fatalf("close write: %v", err)
	}
	if code, err := sess.Wait(ctx); err != nil || code != 0 {
		t.Fatalf("cat after its input ended: exit %d, %v", code, err)
	}
	if all := got.wait(t); all != "first line\nsecond" {
		t.Fatalf("cat gave back %q", all)
	}
}

// With a terminal: the size asked for, then resized, and the exit code.
func (s *suite) execWithTerminal(t *testing.T) {
	d := s.newDriver(t)
	lab := launched(t, d, s.lab(t))
	running(t, d, lab.ID)
	ctx, cancel := context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	sess, err := d.Exec(ctx, lab.ID, "box", driver.ExecRequest{Command: []string{"sh"}, TTY: true, Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out := collect(sess)
	// The size asked for holds from the start; a runtime may apply it a
	// moment after the shell starts, so ask until it shows.
	for try := 0; !contains(out.String(), "30 100"); try++ {
		if try == 20 {
			t.Fatalf("the terminal never had the size asked for: %q", out.String())
		}
		fmt.Fprint(sess, "stty size\n")
		time.Sleep(250 * time.Millisecond)
	}
	if err := sess.Resize(ctx, 40, 132); err != nil {
		t.Fatalf("resize: %v", err)
	}
	fmt.Fprint(sess, "stty size\n")
	out.waitFor(t, "40 132")
	fmt.Fprint(sess, "echo \"mark\"\"ed\"\n") // the echo of the input is not the output
	out.waitFor(t, "marked")
	fmt.Fprint(sess, "exit 3\n")
	if code, err := sess.Wait(ctx); err != nil || code != 3 {
		t.Fatalf("exit code %d, %v", code, err)
	}
}

// Closing a session ends its command, with or without a terminal.
func (s *suite) closeEndsTheCommand(t *testing.T) {
	d := s.newDriver(t)
	lab := launched(t, d, s.lab(t))
	running(t, d, lab.ID)
	for _, tty := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(bg, 20*time.Second)
		sess, err := d.Exec(ctx, lab.ID, "box", driver.ExecRequest{Command: []string{"sleep", "600"}, TTY: tty, Rows: 24, Cols: 80})
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.Close(); err != nil {
			t.Errorf("close (tty %v): %v", tty, err)
		}
		if _, err := sess.Wait(ctx); err != nil {
			t.Errorf("the command outlived its closed session (tty %v): %v", tty, err)
		}
		cancel()
	}
}

// run executes a command without a terminal and returns its output and
// exit code.
func run(t *testing.T, d driver.Driver, instance, host string, cmd ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(bg, 20*time.Second)
	defer cancel()
	sess, err := d.Exec(ctx, instance, host, driver.ExecRequest{Command: cmd})
	if err != nil {
		t.Fatalf("exec %q: %v", cmd, err)
	}
	out := finish(t, sess)
	code, err := sess.Wait(ctx)
	if err != nil {
		t.Fatalf("wait %q: %v", cmd, err)
	}
	return out, code
}

// finish ends the input, reads all output and closes the session.
func finish(t *testing.T, sess driver.ExecSession) string {
	t.Helper()
	defer sess.Close()
	if err := sess.CloseWrite(); err != nil {
		t.Fatalf("close write: %v", err)
	}
	return collect(sess).wait(t)
}

// output gathers a session's output as it comes.
type output struct {
	mu   sync.Mutex
	buf  strings.Builder
	done chan struct{}
}

func collect(r io.Reader) *output {
	o := &output{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		p := make([]byte, 4096)
		for {
			n, err := r.Read(p)
			o.mu.Lock()
			o.buf.Write(p[:n])
			o.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return o
}

func (o *output) String() string { o.mu.Lock(); defer o.mu.Unlock(); return o.buf.String() }

// waitFor waits until the output holds want.
func (o *output) waitFor(t *testing.T, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(o.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %q; the output is %q", want, o.String())
		}
	}
}

// wait waits for the output to end and returns all of it.
func (o *output) wait(t *testing.T) string {
	t.Helper()
	select {
	case <-o.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the output never ended: %q", o.String())
	}
	return o.String()
}

// running waits until every host of the instance runs.
func running(t *testing.T, d driver.Driver, id string) driver.InstanceStatus {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st, err := d.Status(bg, id)
		if err != nil {
			t.Fatalf("status of %s: %v", id, err)
		}
		if st.Running() {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never ran: %+v", id, st)
		}
	}
}

func hostSpec(spec driver.InstanceSpec, name string) (driver.HostSpec, bool) {
	for _, h := range spec.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return driver.HostSpec{}, false
}

func hostState(st driver.InstanceStatus, name string) (driver.HostState, bool) {
	for _, h := range st.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return driver.HostState{}, false
}

func subnetOf(spec driver.InstanceSpec, network string) netip.Prefix {
	for _, n := range spec.Networks {
		if n.Name == network {
			return n.Subnet
		}
	}
	return netip.Prefix{}
}

func addressOf(st driver.InstanceStatus, host, network string) netip.Addr {
	h, _ := hostState(st, host)
	return h.Addresses[network]
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
