package labs

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/sakimori/sakimori/fault"
)

// Pool hands out lab subnets: a configured block (say 10.213.0.0/16) cut
// into equal subnets (say /26, 62 hosts each). The platform allocates them
// itself because the engine's own address pools run out near 30 networks,
// and so that no lab network ever lands on an address range the host uses.
type Pool struct {
	block    netip.Prefix
	bits     int
	excluded []netip.Prefix
	// start picks where a search for free subnets begins, among size:
	// anywhere, so that launches at the same moment (a class starting
	// together) seldom choose the same subnet and race for it.
	start func(size int) int
}

var (
	linkLocal = netip.MustParsePrefix("169.254.0.0/16") // the metadata address lives here, emulated in labs only
	privateV4 = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("100.64.0.0/10"),
	}
)

// ErrNoSubnets is a full pool: no lab can start until one stops.
var ErrNoSubnets = fault.New(fault.Capacity, "capacity", "The range has no free lab networks right now; try again when a lab ends.")

// NewPool checks the block and subnet size.
func NewPool(block string, bits int) (*Pool, error) {
	p, err := netip.ParsePrefix(block)
	if err != nil || !p.Addr().Is4() {
		return nil, fmt.Errorf("lab subnet pool %q: not an IPv4 prefix like 10.213.0.0/16", block)
	}
	p = p.Masked()
	if p.Overlaps(linkLocal) {
		return nil, fmt.Errorf("lab subnet pool %s: must not overlap 169.254.0.0/16", p)
	}
	private := false
	for _, r := range privateV4 {
		private = private || (r.Contains(p.Addr()) && r.Bits() <= p.Bits())
	}
	if !private {
		return nil, fmt.Errorf("lab subnet pool %s: must lie inside a private range (10/8, 172.16/12, 192.168/16, 100.64/10)", p)
	}
	if bits <= p.Bits() || bits > 29 || bits-p.Bits() > 16 {
		return nil, fmt.Errorf("lab subnet size /%d: must be longer than the pool's /%d, at most /29, and at most 65536 subnets", bits, p.Bits())
	}
	return &Pool{block: p, bits: bits, start: rand.IntN}, nil
}

// Size is how many subnets the pool holds.
func (p *Pool) Size() int { return 1 << (p.bits - p.block.Bits()) }

// Block is the configured block.
func (p *Pool) Block() netip.Prefix { return p.block }

// Exclude takes out of use every subnet that overlaps one of routes (the
// host's own networks) and returns the routes that overlapped the pool.
// Default routes are ignored: they overlap everything and claim nothing.
func (p *Pool) Exclude(routes []netip.Prefix) []netip.Prefix {
	var hit []netip.Prefix
	for _, r := range routes {
		if r.Bits() > 0 && r.Overlaps(p.block) {
			p.excluded = append(p.excluded, r)
			hit = append(hit, r)
		}
	}
	return hit
}

// Free returns n subnets not in used, not overlapping held (networks the
// runtime has now, of any range or none) and not excluded, in pool order
// from a starting point the pool picks, wrapping around.
func (p *Pool) Free(used map[netip.Prefix]bool, held []netip.Prefix, n int) ([]netip.Prefix, error) {
	var out []netip.Prefix
	first := p.start(p.Size())
	for k := 0; k < p.Size() && len(out) < n; k++ {
		s := p.subnet((first + k) % p.Size())
		if used[s] || p.isExcluded(s) || overlapsAny(s, held) {
			continue
		}
		out = append(out, s)
	}
	if len(out) < n {
		return nil, ErrNoSubnets
	}
	return out, nil
}

func (p *Pool) subnet(i int) netip.Prefix {
	base := binary.BigEndian.Uint32(p.block.Addr().AsSlice())
	addr := base + uint32(i)<<(32-p.bits)
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], addr)
	return netip.PrefixFrom(netip.AddrFrom4(b), p.bits)
}

func (p *Pool) isExcluded(s netip.Prefix) bool { return overlapsAny(s, p.excluded) }

func overlapsAny(s netip.Prefix, others []netip.Prefix) bool {
	for _, o := range others {
		if o.Overlaps(s) {
			return true
		}
	}
	return false
}

// ParseRoutes reads a Linux routing table in /proc/net/route form.
func ParseRoutes(r io.Reader) ([]netip.Prefix, error) {
	var out []netip.Prefix
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 8 {
			continue
		}
		dst, err1 := hexAddr(f[1])
		mask, err2 := hexAddr(f[7])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("route table: malformed line %q", sc.Text())
		}
		ones := 0
		for m := binary.BigEndian.Uint32(mask.AsSlice()); m != 0; m <<= 1 {
			ones++
		}
		out = append(out, netip.PrefixFrom(dst, ones).Masked())
	}
	return out, sc.Err()
}

// hexAddr decodes the kernel's little-endian hex IPv4 address.
func hexAddr(s string) (netip.Addr, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return netip.Addr{}, fmt.Errorf("bad address %q", s)
	}
	return netip.AddrFrom4([4]byte{b[3], b[2], b[1], b[0]}), nil
}
