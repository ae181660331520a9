package docker

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// The metadata address exists inside the one host given it, answers a
// service there, and is unreachable from the lab's other hosts; the host's
// own processes cannot change addresses (no NET_ADMIN), and no helper is
// left behind.
func TestLoopbackAddressIsTheHostsAlone(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	meta := netip.MustParseAddr("169.254.169.254")
	spec := webLab(t, "unused")
	spec.Hosts[0].LoopbackAddrs = []netip.Addr{meta}
	spec.Hosts[0].Command = []string{"sh", "-c", "echo metadata > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"}
	spec = launched(t, e, spec)
	time.Sleep(300 * time.Millisecond) // httpd binding

	if out, code := run(t, e, spec.ID, "web", "ip", "addr", "show", "dev", "lo"); code != 0 || !strings.Contains(out, "169.254.169.254/32") {
		t.Fatalf("the address is not on the host's loopback: %d %q", code, out)
	}
	if out, code := run(t, e, spec.ID, "web", "wget", "-q", "-O", "-", "http://169.254.169.254:8080/"); code != 0 || !strings.Contains(out, "metadata") {
		t.Fatalf("the host cannot reach its own service at the address: %d %q", code, out)
	}
	if out, code := run(t, e, spec.ID, "workstation", "nc", "-w", "2", "169.254.169.254", "8080"); code == 0 {
		t.Fatalf("another host of the lab reached the address: %q", out)
	}
	if out, code := run(t, e, spec.ID, "web", "ip", "addr", "add", "169.254.1.1/32", "dev", "lo"); code == 0 {
		t.Fatalf("the host's own user could add an address: %q", out)
	}
	st, err := e.Status(bg, spec.ID)
	if err != nil || len(st.Hosts) != 2 {
		t.Fatalf("status after the helper: %+v %v", st, err)
	}
	refs, err := e.List(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if r.ID == spec.ID && r.Objects != 4 { // 2 networks, 2 hosts: the helper is gone
			t.Fatalf("objects of the instance: %d", r.Objects)
		}
	}
}
