package labdns

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

var zone = Zone{"web": netip.MustParseAddr("10.1.0.10"), "www.corp.test": netip.MustParseAddr("10.1.0.10")}

func query(t *testing.T, name string, typ dnsmessage.Type) []byte {
	t.Helper()
	q, err := (&dnsmessage.Message{
		Header:    dnsmessage.Header{ID: 7, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET}},
	}).Pack()
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestALabNameIsAnsweredAndEveryOtherIsNot(t *testing.T) {
	for _, c := range []struct {
		name    string
		typ     dnsmessage.Type
		rcode   dnsmessage.RCode
		answers int
	}{
		{"web.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, 1},
		{"WEB.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, 1},
		{"www.corp.test.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, 1},
		{"web.", dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, 0}, // known, no IPv6
		{"example.com.", dnsmessage.TypeA, dnsmessage.RCodeNameError, 0},
		{"web.example.com.", dnsmessage.TypeA, dnsmessage.RCodeNameError, 0},
		{"x.corp.test.", dnsmessage.TypeTXT, dnsmessage.RCodeNameError, 0},
	} {
		var m dnsmessage.Message
		if err := m.Unpack(Answer(zone, query(t, c.name, c.typ))); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if m.ID != 7 || !m.Response || m.RCode != c.rcode || len(m.Answers) != c.answers {
			t.Errorf("%s %v: got %v with %d answers, want %v with %d", c.name, c.typ, m.RCode, len(m.Answers), c.rcode, c.answers)
		}
		if c.answers == 1 && m.Answers[0].Body.(*dnsmessage.AResource).A != [4]byte{10, 1, 0, 10} {
			t.Errorf("%s: wrong address %v", c.name, m.Answers[0].Body)
		}
	}
}

func TestRepliesAndGarbageGetNoAnswer(t *testing.T) {
	reply := Answer(zone, query(t, "web.", dnsmessage.TypeA))
	if Answer(zone, reply) != nil {
		t.Error("a reply was answered (a reflection loop)")
	}
	if Answer(zone, []byte{1, 2, 3}) != nil {
		t.Error("garbage was answered")
	}
}

func TestZonesAreReadFromThePlatformsDescription(t *testing.T) {
	zones, err := ParseZones(`{"10.1.0.2":{"Web":"10.1.0.10"},"10.2.0.2":{"db":"10.2.0.11"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if zones[netip.MustParseAddr("10.1.0.2")]["web"] != netip.MustParseAddr("10.1.0.10") || len(zones) != 2 {
		t.Errorf("zones = %v", zones)
	}
	for _, bad := range []string{``, `{}`, `{"x":{}}`, `{"10.1.0.2":{"web":"::1"}}`, `{"10.1.0.2":{"web":"nope"}}`} {
		if _, err := ParseZones(bad); err == nil {
			t.Errorf("ParseZones(%q) accepted", bad)
		}
	}
}

// A real resolver, asking over the network, gets the lab's answers.
func TestServeAnswersOverUDP(t *testing.T) {
	probe, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := probe.LocalAddr().(*net.UDPAddr).Port
	probe.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, Zones{netip.MustParseAddr("127.0.0.1"): zone}, port) }()
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp4", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)).String())
	}}
	lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
	defer lcancel()
	var addrs []string
	for range 50 { // the listener may not be up yet
		if addrs, err = r.LookupHost(lctx, "web"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || len(addrs) != 1 || addrs[0] != "10.1.0.10" {
		t.Errorf("web = %v, %v", addrs, err)
	}
	var dnsErr *net.DNSError
	if _, err := r.LookupHost(lctx, "outside.example.com"); err == nil || !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("outside name: %v, want not found", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after its context ended: %v", err)
	}
}
