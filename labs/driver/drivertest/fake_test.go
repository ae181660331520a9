package drivertest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

const image = "sakimori-lab/base:latest"

func TestFakeKeepsTheContract(t *testing.T) {
	drivertest.Run(t, func(*testing.T) driver.Driver { return drivertest.NewFake(image).ForRange("conformance") }, drivertest.Options{
		Image:      image,
		Restarted:  func(_ *testing.T, d driver.Driver) driver.Driver { return d.(*drivertest.Fake).Restarted() },
		OtherRange: func(_ *testing.T, d driver.Driver) driver.Driver { return d.(*drivertest.Fake).ForRange("another") },
		Squat:      func(_ *testing.T, d driver.Driver, spec driver.InstanceSpec) { d.(*drivertest.Fake).Squat(spec) },
		Unreachable: func(*testing.T) driver.Driver {
			f := drivertest.NewFake(image)
			f.SetUnavailable(true)
			return f
		},
	})
}

// The faults the layers above are tested with.
func TestFakeFaults(t *testing.T) {
	ctx := context.Background()
	spec := driver.InstanceSpec{
		ID: "lab1", Trainee: "alice", Scenario: "s", Expires: time.Now().Add(time.Hour),
		Networks: []driver.NetworkSpec{{Name: "net", Subnet: netip.MustParsePrefix("10.0.0.0/26")}},
		Hosts:    []driver.HostSpec{{Name: "box", Image: image, Networks: []driver.HostNetwork{{Network: "net"}}}},
	}
	f := drivertest.NewFake(image)
	boom := errors.New("boom")
	f.Fail(drivertest.OpExec, boom)
	if err := f.Create(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Exec(ctx, spec.ID, "box", driver.ExecRequest{Command: []string{"true"}}); !errors.Is(err, boom) {
		t.Fatalf("exec set to fail: %v", err)
	}
	f.Fail(drivertest.OpExec, nil)
	if _, err := f.Exec(ctx, spec.ID, "box", driver.ExecRequest{Command: []string{"true"}}); err != nil {
		t.Fatalf("exec after the fault cleared: %v", err)
	}

	f.SlowCreate(time.Minute)
	done := make(chan error)
	go func() { done <- f.Create(ctx, spec) }()
	select {
	case err := <-done:
		t.Fatalf("a slow create returned at once: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	f.SlowCreate(0)
	if err := <-done; err != nil {
		t.Fatalf("a slow create let go: %v", err)
	}

	other := spec
	other.ID = "lab2"
	other.Networks = []driver.NetworkSpec{{Name: "net", Subnet: netip.MustParsePrefix("10.0.0.64/26")}}
	f.BreakMidCreate()
	if err := f.Create(ctx, other); !errors.Is(err, driver.ErrUnavailable) {
		t.Fatalf("create as the runtime goes: %v", err)
	}
	if err := f.Ping(ctx); !errors.Is(err, driver.ErrUnavailable) {
		t.Fatalf("ping after the runtime went: %v", err)
	}
	f.SetUnavailable(false)
	if refs, _ := f.List(ctx); len(refs) != 2 {
		t.Fatalf("the broken create left %v, want its objects", refs)
	}
}

// The fake's shell is small, and says so when it is asked for more.
func TestFakeShell(t *testing.T) {
	ctx := context.Background()
	f := drivertest.NewFake()
	spec := driver.InstanceSpec{
		ID: "lab1", Networks: []driver.NetworkSpec{{Name: "net", Subnet: netip.MustParsePrefix("10.0.0.0/26")}},
		Hosts: []driver.HostSpec{{Name: "box", Image: image, Env: map[string]string{"WHO": "box"}, Networks: []driver.HostNetwork{{Network: "net"}}}},
	}
	if err := f.Create(ctx, spec); err != nil {
		t.Fatal(err)
	}
	f.Handle("greet", func(_ context.Context, p *drivertest.Process) int {
		fmt.Fprintf(p.Stdout, "hello from %s in %s\n", p.Host, p.Instance)
		return 4
	})
	for _, c := range []struct {
		script, out string
		code        int
	}{
		{`echo "$WHO" '$WHO' ${WHO}s`, "box $WHO boxs\n", 0},
		{`false; echo $?`, "1\n", 0},
		{`echo a;echo b`, "a\nb\n", 0},
		{`greet`, "hello from box in lab1\n", 4},
		{`exec greet; echo never`, "hello from box in lab1\n", 4},
		{`wget http://x/`, "sh: wget: not found\n", 127},
		{`echo "open`, "sh: unterminated quote\n", 2},
	} {
		s, err := f.Exec(ctx, spec.ID, "box", driver.ExecRequest{Command: []string{"sh", "-c", c.script}})
		if err != nil {
			t.Fatal(err)
		}
		s.CloseWrite()
		out, _ := io.ReadAll(s)
		code, _ := s.Wait(ctx)
		if string(out) != c.out || code != c.code {
			t.Errorf("%s: exit %d, %q; want %d, %q", c.script, code, out, c.code, c.out)
		}
	}
}
