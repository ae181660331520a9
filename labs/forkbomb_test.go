package labs_test

import (
	"bufio"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/driver"
)

// Case 16 (docs/security.md): a fork bomb in the terminal left the host's process table full
// and every later shell failing, while the lab said "running". On the
// engine: the full host makes the lab unhealthy, closing the terminal
// ends the bomb, and ten seconds later a new terminal works and the host
// holds about as many processes as it did before.
func TestAForkBombEndsWithItsTerminal(t *testing.T) {
	r := newRange(t, realEngine(t), 26, 10)
	inst, err := r.svc.Launch(bg, "alice", "orientation")
	if err != nil {
		t.Fatal(err)
	}
	r.waitState(t, inst.ID, labs.StateRunning)
	baseline := processesIn(t, r.d, inst.ID, "workstation")

	bomb, err := r.svc.OpenTerminal(bg, alice, inst.ID, "", "", 24, 80)
	if err != nil {
		t.Fatal(err)
	}
	go drain(bomb)
	if _, err := bomb.Write([]byte("bomb() { bomb | bomb & }; bomb\n")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		h, err := r.svc.Health(bg, alice, inst.ID)
		if err == nil && !h.Healthy {
			if !strings.Contains(h.Reason, "A host has run out of processes") || h.Host != "workstation" {
				t.Errorf("unhealthy for another reason: %+v", h)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bombed host never showed as unhealthy: %+v, %v", h, err)
		}
	}

	if err := bomb.Close(); err != nil {
		t.Logf("closing the bombed terminal: %v", err)
	}
	// The sweep that ends the bomb's session races the bomb's own forks; on
	// a busy machine it takes longer, so wait for the host to empty, within
	// a bound, rather than a fixed time.
	for deadline := time.Now().Add(time.Minute); processesIn(t, r.d, inst.ID, "workstation") > baseline+6; time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("the bomb outlived its terminal by a minute: %d processes, %d before it",
				processesIn(t, r.d, inst.ID, "workstation"), baseline)
		}
	}
	shell, err := r.svc.OpenTerminal(bg, alice, inst.ID, "", "", 24, 80)
	if err != nil {
		t.Fatalf("a new terminal once the bomb's was closed: %v", err)
	}
	defer shell.Close()
	if _, err := shell.Write([]byte("echo alive-$((6*7))\n")); err != nil {
		t.Fatal(err)
	}
	if !sees(shell, "alive-42", 10*time.Second) {
		t.Fatal("the new terminal does not run commands")
	}
	if now := processesIn(t, r.d, inst.ID, "workstation"); now > baseline+6 {
		t.Errorf("the host holds %d processes after the bomb, %d before it", now, baseline)
	}
	if h, err := r.svc.Health(bg, alice, inst.ID); err != nil || !h.Healthy {
		t.Errorf("after the bomb: %+v, %v", h, err)
	}
}

func processesIn(t *testing.T, d driver.Driver, id, host string) int64 {
	t.Helper()
	st, err := d.Status(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range st.Hosts {
		if h.Name == host {
			if h.ProcessLimit == 0 {
				t.Fatalf("the engine reports no process limit for %s: %+v", host, h)
			}
			return h.Processes
		}
	}
	t.Fatalf("no host %s in %+v", host, st)
	return 0
}

func drain(s driver.ExecSession) {
	buf := make([]byte, 4096)
	for {
		if _, err := s.Read(buf); err != nil {
			return
		}
	}
}

// sees reports whether want appears in what s prints within d.
func sees(s driver.ExecSession, want string, d time.Duration) bool {
	found := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(s)
		for sc.Scan() {
			if strings.Contains(sc.Text(), want) && !strings.Contains(sc.Text(), "echo") {
				found <- true
				return
			}
		}
		found <- false
	}()
	select {
	case ok := <-found:
		return ok
	case <-time.After(d):
		return false
	}
}
