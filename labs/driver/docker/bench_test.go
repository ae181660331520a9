package docker

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver"
)

// benchLab is a 3-host, 2-network lab like the orientation scenario, on
// subnets of its own in a block nothing else uses.
func benchLab(id string, n int) driver.InstanceSpec {
	a := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 223, byte(n / 2), byte(n%2) * 128}), 26)
	b := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 223, byte(n / 2), byte(n%2)*128 + 64}), 26)
	host := func(name string, nets ...string) driver.HostSpec {
		h := driver.HostSpec{Name: name, Image: labimages.Base, ReadOnly: true, Tmpfs: map[string]int64{"/tmp": 1 << 20}}
		for _, n := range nets {
			h.Networks = append(h.Networks, driver.HostNetwork{Network: n})
		}
		return h
	}
	return driver.InstanceSpec{
		ID: id, Trainee: "bench", Scenario: "bench", Expires: time.Now().Add(time.Hour),
		Networks: []driver.NetworkSpec{{Name: "dmz", Subnet: a}, {Name: "internal", Subnet: b}},
		Hosts:    []driver.HostSpec{host("workstation", "dmz"), web(host("web", "dmz", "internal"), a), host("records", "internal")},
	}
}

// web serves a page naming its lab, at a fixed address on the first network.
func web(h driver.HostSpec, subnet netip.Prefix) driver.HostSpec {
	h.Command = []string{"sh", "-c", "echo reachable > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"}
	h.Networks[0].IP = subnet.Addr().Next().Next().Next()
	return h
}

// bareCreate makes the same objects with the engine calls alone: no
// look-ups, no adoption. It is the floor the driver is measured against.
// The objects carry the range's label all the same, so that the driver,
// which acts on its own range only, can remove them.
func bareCreate(ctx context.Context, e *Engine, spec driver.InstanceSpec) error {
	for _, n := range spec.Networks {
		opts := networkCreate(spec, n)
		e.stamp(opts.Labels)
		if _, err := e.cli.NetworkCreate(ctx, networkName(spec.ID, n.Name), opts); err != nil {
			return err
		}
	}
	var ids []string
	for _, h := range spec.Hosts {
		cfg, hc, nc, _ := containerCreate(spec, h)
		e.stamp(cfg.Labels)
		c, err := e.cli.ContainerCreate(ctx, cfg, hc, nc, nil, containerName(spec.ID, h.Name))
		if err != nil {
			return err
		}
		for _, n := range h.Networks[1:] {
			if err := e.cli.NetworkConnect(ctx, networkName(spec.ID, n.Network), c.ID, endpoint(h.Name, n)); err != nil {
				return err
			}
		}
		ids = append(ids, c.ID)
	}
	for _, id := range ids {
		if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkLaunch compares launching a 3-host, 2-network lab through the
// driver with the bare engine calls for the same objects. The two alternate
// in one run, so the machine's noise falls on both; the figure that matters
// is the ratio. Run: go test -run '^$' -bench Launch -benchtime 20x ./labs/driver/docker/
func BenchmarkLaunch(b *testing.B) {
	e := requireEngine(b)
	requireLabImages(b, e)
	ctx := context.Background()
	var ours, bare []time.Duration
	b.ResetTimer()
	for i := range b.N {
		spec := benchLab(fmt.Sprintf("bench%dd", i), 2*i)
		raw := benchLab(fmt.Sprintf("bench%db", i), 2*i+1)
		// Removed even when the run fails midway, so no later run meets them.
		b.Cleanup(func() { e.Destroy(ctx, spec.ID); e.Destroy(ctx, raw.ID) })
		start := time.Now()
		if err := e.Create(ctx, spec); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(start))

		start = time.Now()
		if err := bareCreate(ctx, e, raw); err != nil {
			b.Fatal(err)
		}
		bare = append(bare, time.Since(start))

		b.StopTimer()
		if err := e.Destroy(ctx, spec.ID); err != nil {
			b.Fatal(err)
		}
		if err := e.Destroy(ctx, raw.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	op50, op95 := percentiles(ours)
	bp50, bp95 := percentiles(bare)
	b.ReportMetric(ms(op50), "driver-p50-ms")
	b.ReportMetric(ms(op95), "driver-p95-ms")
	b.ReportMetric(ms(bp50), "bare-p50-ms")
	b.ReportMetric(ms(bp95), "bare-p95-ms")
	b.ReportMetric(float64(op50)/float64(bp50), "p50-ratio")
	b.ReportMetric(float64(op95)/float64(bp95), "p95-ratio")
}

func percentiles(d []time.Duration) (p50, p95 time.Duration) {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*50/100], s[min(len(s)-1, len(s)*95/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkCapacity launches SAKIMORI_BENCH_LABS labs (default 20; 2 with
// -short, the size the test task runs it at to show it still works) of
// three hosts and two networks, eight at a time, then checks every one is
// reachable inside (its workstation fetches its web host's page) and how
// long a launch takes once that many run. It reports how many were up and
// reachable. Run:
//
//	SAKIMORI_BENCH_LABS=300 go test -run '^$' -bench Capacity -benchtime 1x -timeout 60m ./labs/driver/docker/
func BenchmarkCapacity(b *testing.B) {
	e := requireEngine(b)
	requireLabImages(b, e)
	ctx := context.Background()
	n := 20
	if testing.Short() {
		n = 2
	}
	if v := os.Getenv("SAKIMORI_BENCH_LABS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	specs := make([]driver.InstanceSpec, n)
	for i := range specs {
		specs[i] = benchLab(fmt.Sprintf("cap%d", i), i)
	}
	defer func() {
		b.StopTimer()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for _, s := range specs {
			wg.Add(1)
			sem <- struct{}{}
			go func() { defer wg.Done(); e.Destroy(ctx, s.ID); <-sem }()
		}
		wg.Wait()
	}()
	b.ResetTimer()
	start := time.Now()
	var failed atomic.Int32
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, s := range specs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := e.Create(ctx, s); err != nil {
				failed.Add(1)
				b.Logf("launch %s: %v", s.ID, err)
			}
		}()
	}
	wg.Wait()
	launchAll := time.Since(start)
	time.Sleep(time.Second) // httpd binding in the last labs

	reachable := 0
	for _, s := range specs {
		url := "http://" + s.Hosts[1].Networks[0].IP.String() + ":8080/"
		sess, err := e.Exec(ctx, s.ID, "workstation", driver.ExecRequest{Command: []string{"wget", "-q", "-O", "-", url}})
		if err != nil {
			continue
		}
		sess.CloseWrite()
		out, _ := io.ReadAll(sess)
		sess.Close()
		if strings.Contains(string(out), "reachable") {
			reachable++
		}
	}
	// One more launch with all of them running: does the host still answer?
	extra := benchLab("capextra", n)
	t0 := time.Now()
	if err := e.Create(ctx, extra); err == nil {
		b.ReportMetric(ms(time.Since(t0)), "launch-at-load-ms")
	}
	e.Destroy(ctx, extra.ID)
	b.ReportMetric(float64(n), "labs")
	b.ReportMetric(float64(reachable), "reachable")
	b.ReportMetric(float64(failed.Load()), "failed")
	b.ReportMetric(launchAll.Seconds(), "launch-all-s")
	// Past the host's limit some labs may fail, and that is the figure; but
	// a run in which no lab works at all is a broken benchmark.
	if reachable == 0 {
		b.Errorf("none of %d labs was reachable (%d failed to launch)", n, failed.Load())
	}
}
