package docker

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
)

// Case 17 (docs/security.md): the engine's embedded DNS forwarded lab lookups to the
// machine's resolver (CVE-2024-29018 on engines before 26). Now a lab's
// names resolve inside it, any other name fails, and no lookup leaves it.
//
// How "leaves" is seen: a packet socket on the engine's machine captures
// every frame on every interface of its namespace (the bridges, the
// hosts' veths, loopback and the uplinks) while a host looks up a name
// no one else could ask for. Every frame carrying that name must come
// from or go to the lab's resolver; a forward to the machine's resolver,
// from the lab's namespace or the engine's own, would cross one of those
// interfaces toward another address.
func TestNoLookupLeavesTheLab(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	spec := webLab(t, "dns")
	spec.Hosts[0].Networks[0].Aliases = []string{"intranet"}
	launched(t, e, spec)
	web := spec.Hosts[0].Networks[0].IP.String()

	for _, name := range []string{"web", "intranet"} {
		out, code := run(t, e, spec.ID, "workstation", "nslookup", name)
		if code != 0 || !strings.Contains(out, web) {
			t.Errorf("nslookup %s: exit %d\n%s", name, code, out)
		}
	}

	outside := strings.ToLower(newID(t)) + ".leak-probe.sakimori.test"
	capture := startCapture(t, outside)
	for _, server := range []string{"", "127.0.0.11"} { // resolv.conf's, and the embedded DNS asked directly
		args := []string{"nslookup", outside}
		if server != "" {
			args = append(args, server)
		}
		out, code := run(t, e, spec.ID, "workstation", args...)
		if code == 0 || !strings.Contains(out, "NXDOMAIN") {
			t.Errorf("%v: exit %d, want NXDOMAIN\n%s\nthe lab's resolver: %s", args, code, out, resolverState(e, spec.ID))
		}
	}
	if capture == nil {
		t.Skip("lookups fail, but the capture proving nothing left needs CAP_NET_RAW on the engine's machine")
	}
	time.Sleep(time.Second) // a late forward would still be seen
	seen := capture()
	if len(seen) == 0 {
		t.Fatal("the capture saw no lookup at all: it must run on the engine's machine")
	}
	resolver := map[netip.Addr]bool{}
	for _, a := range resolverAddrs(spec) {
		resolver[a] = true
	}
	for _, p := range seen {
		if !resolver[p.src] && !resolver[p.dst] {
			t.Errorf("a lookup left the lab: %s → %s", p.src, p.dst)
		}
	}
	t.Logf("%d frames carried the name, all to or from the lab's resolver", len(seen))
}

// resolverState is what the engine says of the lab's resolver, for a
// failure's message.
func resolverState(e *Engine, instance string) string {
	name := containerName(instance, resolverHost)
	info, err := e.cli.ContainerInspect(bg, name)
	if err != nil {
		return err.Error()
	}
	logs, err := e.cli.ContainerLogs(bg, name, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return err.Error()
	}
	defer logs.Close()
	text, _ := io.ReadAll(logs)
	return fmt.Sprintf("running %v, exit %d, restarts %d, logs %q", info.State.Running, info.State.ExitCode, info.RestartCount, text)
}

type carried struct{ src, dst netip.Addr }

// startCapture captures every frame carrying name on this machine's
// interfaces until the returned function is called, which returns the
// IPv4 addresses of each. It returns nil without the right to capture.
func startCapture(t *testing.T, name string) func() []carried {
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, int(htons(syscall.ETH_P_ALL)))
	if err != nil {
		t.Logf("no packet capture: %v", err)
		return nil
	}
	tv := syscall.Timeval{Usec: 100_000}
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	wire := wireName(name)
	var (
		mu   sync.Mutex
		seen []carried
		done = make(chan struct{})
		over = make(chan struct{})
	)
	go func() {
		defer close(over)
		buf := make([]byte, 65536)
		for {
			select {
			case <-done:
				return
			default:
			}
			n, _, err := syscall.Recvfrom(fd, buf, 0)
			if err != nil || !bytes.Contains(buf[:n], wire) {
				continue
			}
			mu.Lock()
			seen = append(seen, addressesOf(buf[:n]))
			mu.Unlock()
		}
	}()
	stop := func() []carried {
		close(done)
		<-over
		syscall.Close(fd)
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			stop()
		}
	})
	return stop
}

// addressesOf reads the IPv4 source and destination of a captured frame:
// an Ethernet frame (loopback's header is all zeros) or a bare IP packet.
func addressesOf(frame []byte) carried {
	ip := frame
	if len(frame) >= 14 && frame[12] == 0x08 && frame[13] == 0x00 {
		ip = frame[14:]
	}
	if len(ip) < 20 || ip[0]>>4 != 4 {
		return carried{} // unreadable: counted as a leak, to be looked at
	}
	return carried{netip.AddrFrom4([4]byte(ip[12:16])), netip.AddrFrom4([4]byte(ip[16:20]))}
}

// wireName is name as DNS carries it: each label after its length.
func wireName(name string) []byte {
	var b []byte
	for _, label := range strings.Split(name, ".") {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return b
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
