package labs

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestPoolRefusesDangerousBlocks(t *testing.T) {
	for block, bits := range map[string]int{
		"169.254.0.0/16": 26, // the metadata address's range
		"169.0.0.0/8":    26, // overlaps it
		"8.8.0.0/16":     26, // public
		"10.213.0.0/16":  16, // subnet not longer than the pool
		"10.0.0.0/8":     30, // too small to hold hosts
		"fd00::/64":      72, // IPv6
		"10.213.0.0":     26, // not a prefix
	} {
		if _, err := NewPool(block, bits); err == nil {
			t.Errorf("NewPool(%s, /%d) accepted", block, bits)
		}
	}
}

func TestPoolHandsOutFreeSubnetsUntilFull(t *testing.T) {
	p, err := NewPool("10.213.0.0/24", 26) // four subnets
	if err != nil {
		t.Fatal(err)
	}
	p.start = func(int) int { return 0 }
	used := map[netip.Prefix]bool{netip.MustParsePrefix("10.213.0.64/26"): true}
	got, err := p.Free(used, nil, 2)
	if err != nil || got[0].String() != "10.213.0.0/26" || got[1].String() != "10.213.0.128/26" {
		t.Fatalf("Free = %v, %v", got, err)
	}
	for _, s := range got {
		used[s] = true
	}
	if _, err := p.Free(used, nil, 2); !errors.Is(err, ErrNoSubnets) {
		t.Fatalf("a full pool: %v", err)
	}
}

func TestHostRoutesAreExcluded(t *testing.T) {
	// A real table: default route, docker0, and a host network that sits
	// inside the pool.
	table := `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	0100A8C0	0003	0	0	0	00000000	0	0	0
docker0	000011AC	00000000	0001	0	0	0	0000FFFF	0	0	0
vpn0	0040D50A	00000000	0001	0	0	0	00C0FFFF	0	0	0
`
	routes, err := ParseRoutes(strings.NewReader(table))
	if err != nil || len(routes) != 3 || routes[1].String() != "172.17.0.0/16" || routes[2].String() != "10.213.64.0/18" {
		t.Fatalf("routes = %v, %v", routes, err)
	}
	p, _ := NewPool("10.213.0.0/16", 26)
	hit := p.Exclude(routes)
	if len(hit) != 1 || hit[0].String() != "10.213.64.0/18" {
		t.Fatalf("overlapping routes = %v", hit)
	}
	got, _ := p.Free(nil, nil, 1024-256)
	for _, s := range got {
		if s.Overlaps(hit[0]) {
			t.Fatalf("handed out %s, which the host routes", s)
		}
	}
	if _, err := p.Free(nil, nil, 1024-256+1); !errors.Is(err, ErrNoSubnets) {
		t.Fatal("excluded subnets were counted as free")
	}
}

// A search starts where the pool picks and wraps around, so launches at
// the same moment start apart; by default the start is random.
func TestFreeStartsAnywhereAndWraps(t *testing.T) {
	p, _ := NewPool("10.213.0.0/24", 26) // four subnets
	p.start = func(size int) int {
		if size != 4 {
			t.Errorf("picked among %d", size)
		}
		return 3
	}
	got, err := p.Free(map[netip.Prefix]bool{netip.MustParsePrefix("10.213.0.0/26"): true}, nil, 2)
	if err != nil || got[0].String() != "10.213.0.192/26" || got[1].String() != "10.213.0.64/26" {
		t.Fatalf("Free = %v, %v", got, err)
	}
	big, _ := NewPool("10.213.0.0/16", 26)
	firsts := map[netip.Prefix]bool{}
	for range 20 {
		got, _ := big.Free(nil, nil, 1)
		firsts[got[0]] = true
	}
	if len(firsts) < 10 {
		t.Errorf("20 searches started at %d subnets", len(firsts))
	}
}

// Networks the runtime holds are skipped whatever their size: another
// range's /26, or a wider network someone made inside the pool.
func TestHeldNetworksAreSkipped(t *testing.T) {
	p, _ := NewPool("10.213.0.0/24", 26) // four subnets
	held := []netip.Prefix{netip.MustParsePrefix("10.213.0.0/26"), netip.MustParsePrefix("10.213.0.128/25"), netip.MustParsePrefix("172.17.0.0/16")}
	got, err := p.Free(nil, held, 1)
	if err != nil || got[0].String() != "10.213.0.64/26" {
		t.Fatalf("Free = %v, %v; want 10.213.0.64/26", got, err)
	}
	if _, err := p.Free(nil, held, 2); !errors.Is(err, ErrNoSubnets) {
		t.Fatalf("held subnets were counted as free: %v", err)
	}
}
