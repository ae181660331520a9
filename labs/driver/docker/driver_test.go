package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver"
)

var bg = context.Background()

// testSubnets hands each test instance its own /26 in a block no platform
// pool uses by default, so tests never collide with a running range.
var nextSubnet = make(chan netip.Prefix, 64)

func init() {
	for i := range 64 {
		nextSubnet <- netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 219, byte(i / 4), byte(i%4) * 64}), 26)
	}
}

func newID(t testing.TB) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "t" + hex.EncodeToString(b)
}

// webLab is a two-network, two-host instance: a web host serving a page on
// the "dmz" network, and a workstation on both networks.
func webLab(t *testing.T, page string) driver.InstanceSpec {
	id := newID(t)
	dmz, inner := <-nextSubnet, <-nextSubnet
	return driver.InstanceSpec{
		ID: id, Trainee: "trainee-" + id, Scenario: "test", Expires: time.Now().Add(time.Hour),
		Networks: []driver.NetworkSpec{{Name: "dmz", Subnet: dmz}, {Name: "inner", Subnet: inner}},
		Hosts: []driver.HostSpec{
			{
				Name: "web", Image: labimages.Base, ReadOnly: true, Tmpfs: map[string]int64{"/tmp": 1 << 20},
				Command:  []string{"sh", "-c", "echo " + page + " > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"},
				Networks: []driver.HostNetwork{{Network: "dmz", IP: dmz.Addr().Next().Next()}},
			},
			{
				Name: "workstation", Image: labimages.Base, ReadOnly: true, Tmpfs: map[string]int64{"/tmp": 1 << 20},
				Networks: []driver.HostNetwork{{Network: "inner"}, {Network: "dmz"}},
			},
		},
	}
}

// launched creates spec on the engine and destroys it when the test ends.
func launched(t *testing.T, e *Engine, spec driver.InstanceSpec) driver.InstanceSpec {
	t.Helper()
	t.Cleanup(func() {
		if err := e.Destroy(bg, spec.ID); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	if err := e.Create(bg, spec); err != nil {
		t.Fatalf("create: %v", err)
	}
	return spec
}

// tryRun is run without failing the test: an exec may not start at all
// while a host is out of process ids.
func tryRun(e *Engine, instance, host string, cmd ...string) (string, error) {
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	s, err := e.Exec(ctx, instance, host, driver.ExecRequest{Command: cmd})
	if err != nil {
		return "", err
	}
	defer s.Close()
	s.CloseWrite()
	out, _ := io.ReadAll(s)
	if code, err := s.Wait(ctx); err != nil || code != 0 {
		return string(out), fmt.Errorf("exit %d: %v", code, err)
	}
	return string(out), nil
}

// run executes a command without a TTY and returns its output and exit code.
func run(t *testing.T, e *Engine, instance, host string, cmd ...string) (string, int) {
	t.Helper()
	// A bound, not a measure: the AWS CLI alone takes seconds to start in a
	// host held to its CPU share on a busy machine.
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	s, err := e.Exec(ctx, instance, host, driver.ExecRequest{Command: cmd})
	if err != nil {
		t.Fatalf("exec %v: %v", cmd, err)
	}
	defer s.Close()
	s.CloseWrite()
	out, _ := io.ReadAll(s)
	code, err := s.Wait(ctx)
	if err != nil {
		t.Fatalf("wait %v: %v", cmd, err)
	}
	return string(out), code
}

func TestHostsAreHardened(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	lab := launched(t, e, webLab(t, "hello"))

	status, _ := run(t, e, lab.ID, "workstation", "cat", "/proc/self/status")
	for _, want := range []string{"CapEff:\t0000000000000000", "NoNewPrivs:\t1"} {
		if !strings.Contains(status, want) {
			t.Errorf("%q not in /proc/self/status:\n%s", want, status)
		}
	}
	if _, code := run(t, e, lab.ID, "workstation", "touch", "/x"); code == 0 {
		t.Error("wrote to a read-only root file system")
	}
	if _, code := run(t, e, lab.ID, "workstation", "sh", "-c", "echo ok > /tmp/x"); code != 0 {
		t.Error("the tmpfs is not writable")
	}
	if out, _ := run(t, e, lab.ID, "workstation", "id", "-u"); strings.TrimSpace(out) != "1000" {
		t.Errorf("exec ran as uid %q, want the image's user 1000", out)
	}
	// A bounded fork loop runs into the pids limit; the lab survives it.
	if max, _ := run(t, e, lab.ID, "workstation", "cat", "/sys/fs/cgroup/pids/pids.max"); strings.TrimSpace(max) != "128" {
		t.Errorf("pids.max = %q", max)
	}
	run(t, e, lab.ID, "workstation", "sh", "-c", "(i=0; while [ $i -lt 300 ]; do sleep 2 & i=$((i+1)); done) 2>/dev/null")
	recovers(t, e, lab.ID, "the fork loop")
	// The loop's sleeps were orphaned when its shell ended; the init reaps
	// them, so the pids they held come back rather than staying as zombies.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		out, _ := tryRun(e, lab.ID, "workstation", "cat", "/sys/fs/cgroup/pids/pids.current")
		if n, err := strconv.Atoi(strings.TrimSpace(out)); err == nil && n < 16 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pids.current stayed at %q after the fork loop ended: orphans are not reaped", strings.TrimSpace(out))
		}
	}
	// A memory hog is killed by the kernel inside its limit; the host lives on.
	// dd takes its whole 300 MB block at once, so the limit is met at once.
	if _, code := run(t, e, lab.ID, "workstation", "dd", "if=/dev/zero", "of=/dev/null", "bs=300M", "count=1"); code == 0 {
		t.Error("a 300 MB allocation succeeded under a 256 MiB limit")
	}
	recovers(t, e, lab.ID, "the memory hog")
	info, _ := e.cli.ContainerInspect(bg, containerName(lab.ID, "workstation"))
	if info.RestartCount != 0 || !info.State.Running {
		t.Errorf("the host itself went down under the attacks: restarts %d, running %v", info.RestartCount, info.State.Running)
	}
	hc := info.HostConfig
	if *hc.PidsLimit != driver.DefaultLimits.Pids || hc.Memory != driver.DefaultLimits.MemoryBytes || hc.MemorySwap != hc.Memory || hc.Privileged {
		t.Errorf("limits: pids %d memory %d swap %d privileged %v", *hc.PidsLimit, hc.Memory, hc.MemorySwap, hc.Privileged)
	}
	for _, opt := range hc.SecurityOpt {
		if strings.Contains(opt, "unconfined") {
			t.Errorf("security option %q", opt)
		}
	}
	nw, _ := e.cli.NetworkInspect(bg, networkName(lab.ID, "dmz"), network.InspectOptions{})
	if !nw.Internal || nw.Labels[driver.LabelInstance] != lab.ID {
		t.Errorf("network: internal=%v labels=%v", nw.Internal, nw.Labels)
	}
}

// recovers waits, bounded, until the lab's workstation runs a command again
// after an attack on its limits: once the loop's sleeps end, or the kernel
// has killed the hog and freed its pages. On a loaded machine that takes
// longer than the attack itself, so the test waits for it rather than
// looking once.
func recovers(t *testing.T, e *Engine, lab, after string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		out, err := tryRun(e, lab, "workstation", "echo", "still-here")
		if err == nil && strings.Contains(out, "still-here") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the host never recovered from %s: %v %q", after, err, out)
		}
	}
}

// TestLabsAreIsolated: a host reaches its own lab's hosts, and nothing else:
// not another lab, not the host machine, no route out at all. Every address
// tried is on this machine.
func TestLabsAreIsolated(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	a := launched(t, e, webLab(t, "page-of-A"))
	b := launched(t, e, webLab(t, "page-of-B"))
	time.Sleep(300 * time.Millisecond) // httpd binding

	aWeb := a.Hosts[0].Networks[0].IP.String()
	out, code := run(t, e, a.ID, "workstation", "wget", "-q", "-O", "-", "http://"+aWeb+":8080/")
	if code != 0 || !strings.Contains(out, "page-of-A") {
		t.Fatalf("a lab cannot reach its own web host: %d %q", code, out)
	}
	bWeb := b.Hosts[0].Networks[0].IP.String()
	if out, code := run(t, e, a.ID, "workstation", "wget", "-q", "-O", "-", "http://"+bWeb+":8080/"); code == 0 {
		t.Fatalf("lab A reached lab B's web host: %q", out)
	}
	// The engine gives every container a default route via its first
	// network's gateway address; lab networks leave that address unheld
	// (the host takes none on them), so the route leads nowhere. Check the
	// host holds no lab address, and nothing answers at the gateway or at
	// the host's own bridge. All addresses tried are on this machine.
	addrs, _ := net.InterfaceAddrs()
	for _, addr := range addrs {
		ip, _ := netip.ParsePrefix(addr.String())
		for _, n := range append(a.Networks, b.Networks...) {
			if n.Subnet.Contains(ip.Addr()) {
				t.Fatalf("the host holds %s inside lab subnet %s", ip, n.Subnet)
			}
		}
	}
	gateway := a.Networks[0].Subnet.Addr().Next().String()
	for _, target := range []string{gateway, "172.17.0.1"} {
		if out, code := run(t, e, a.ID, "workstation", "nc", "-w", "2", target, "80"); code == 0 {
			t.Fatalf("a lab reached %s: %q", target, out)
		}
	}
}

// TestClosingATerminalEndsItsShell: a closed terminal session leaves no
// process behind in the host (docs/security.md, lab containers: exec).
func TestClosingATerminalEndsItsShell(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	lab := launched(t, e, webLab(t, "x"))
	shells := func() int {
		out, _ := run(t, e, lab.ID, "workstation", "sh", "-c", "for p in /proc/[0-9]*; do cat $p/cmdline 2>/dev/null | tr '\\0' ' '; echo; done | grep -c '^sleep 4242'")
		n := 0
		fmt.Sscan(strings.TrimSpace(out), &n)
		return n
	}
	s, err := e.Exec(bg, lab.ID, "workstation", driver.ExecRequest{Command: []string{"sh"}, TTY: true, Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(s, "sleep 4242\n")
	time.Sleep(500 * time.Millisecond)
	if n := shells(); n != 1 {
		t.Fatalf("%d sleeps running before close, want 1", n)
	}
	s.Close()
	deadline := time.Now().Add(5 * time.Second)
	for shells() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the terminal's processes outlived it")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
