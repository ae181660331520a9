// Package labdns is a lab's own resolver. It knows the lab's host names
// and nothing else: a name of the lab gets its address, any other name
// gets NXDOMAIN, and nothing is ever forwarded, so no lookup made in a
// lab leaves it (the engine's embedded DNS forwards only to this).
package labdns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// Zone is what a resolver answers on one of its addresses: each lab host
// name (and alias) reachable from that network, with its address there.
type Zone map[string]netip.Addr

// Zones maps each listening address (the resolver's address on one lab
// network) to the zone it serves there.
type Zones map[netip.Addr]Zone

// ParseZones reads the platform's description of the lab, a JSON object
// of listening address → {name: address}.
func ParseZones(text string) (Zones, error) {
	var raw map[string]map[string]string
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("lab zones: %w", err)
	}
	if len(raw) == 0 {
		return nil, errors.New("lab zones: no listening address")
	}
	zones := Zones{}
	for listen, names := range raw {
		at, err := netip.ParseAddr(listen)
		if err != nil {
			return nil, fmt.Errorf("lab zones: listening address %q: %w", listen, err)
		}
		zone := Zone{}
		for name, addr := range names {
			a, err := netip.ParseAddr(addr)
			if err != nil || !a.Is4() {
				return nil, fmt.Errorf("lab zones: %s: address %q is not IPv4", name, addr)
			}
			zone[canonical(name)] = a
		}
		zones[at] = zone
	}
	return zones, nil
}

// ttl is short: a reset lab keeps its names and addresses, but nothing
// should rely on an answer outliving its lab.
const ttl = 30

// Answer is the reply to one query packet, or nil when the packet is not
// a query worth answering (a reply, or garbage).
func Answer(zone Zone, packet []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(packet)
	if err != nil || h.Response {
		return nil
	}
	q, qerr := p.Question()
	reply := dnsmessage.Header{ID: h.ID, Response: true, OpCode: h.OpCode, RecursionDesired: h.RecursionDesired, Authoritative: true}
	var questions []dnsmessage.Question
	var answers []dnsmessage.Resource
	switch {
	case h.OpCode != 0:
		reply.RCode = dnsmessage.RCodeNotImplemented
	case qerr != nil:
		reply.RCode = dnsmessage.RCodeFormatError
	default:
		questions = []dnsmessage.Question{q}
		addr, known := zone[canonical(q.Name.String())]
		switch {
		case q.Class != dnsmessage.ClassINET || !known:
			reply.RCode = dnsmessage.RCodeNameError
		case q.Type == dnsmessage.TypeA || q.Type == dnsmessage.TypeALL:
			answers = append(answers, dnsmessage.Resource{
				Header: dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: ttl},
				Body:   &dnsmessage.AResource{A: addr.As4()},
			})
		}
		// A known name asked for another type (AAAA, MX) has no data.
	}
	out, err := (&dnsmessage.Message{Header: reply, Questions: questions, Answers: answers}).Pack()
	if err != nil {
		return nil
	}
	return out
}

// canonical is a name as the zone keys it: lower case, no final dot.
func canonical(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

// Serve answers on every address of zones over UDP until ctx ends.
func Serve(ctx context.Context, zones Zones, port int) error {
	conns := make([]net.PacketConn, 0, len(zones))
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	var lc net.ListenConfig
	for at := range zones {
		c, err := lc.ListenPacket(ctx, "udp4", netip.AddrPortFrom(at, uint16(port)).String())
		if err != nil {
			closeAll()
			return fmt.Errorf("lab resolver: %w", err)
		}
		conns = append(conns, c)
	}
	stop := context.AfterFunc(ctx, closeAll)
	defer stop()
	var wg sync.WaitGroup
	for _, c := range conns {
		zone := zones[netip.MustParseAddrPort(c.LocalAddr().String()).Addr()]
		wg.Add(1)
		go func() {
			defer wg.Done()
			answerAll(c, zone)
		}()
	}
	wg.Wait()
	return nil
}

// answerAll answers each packet on c until c is closed.
func answerAll(c net.PacketConn, zone Zone) {
	buf := make([]byte, 1500)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if reply := Answer(zone, buf[:n]); reply != nil {
			_, _ = c.WriteTo(reply, from)
		}
	}
}
