package dockertest

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver"
)

// failingMidway is set in the child process TestARangeIsRemovedWhenItsTestFails
// starts: there, TestLabThenFailure builds a lab and fails.
const failingMidway = "SAKIMORI_DOCKERTEST_FAIL_MIDWAY"

// TestLabThenFailure is the failing test, run only in that child: it
// reports its range, makes a lab with a network and a host, and fails
// before any cleanup of its own is registered.
func TestLabThenFailure(t *testing.T) {
	if os.Getenv(failingMidway) == "" {
		t.Skip("run by TestARangeIsRemovedWhenItsTestFails")
	}
	e := Engine(t)
	t.Log("range=" + e.RangeID())
	t.Run("midway", func(t *testing.T) {
		id := "fail" + strings.TrimPrefix(e.RangeID(), "test-")[10:]
		spec := driver.InstanceSpec{
			ID: id, Trainee: "t", Scenario: "failing", Expires: time.Now().Add(time.Hour),
			Networks: []driver.NetworkSpec{{Name: "net", Subnet: netip.MustParsePrefix("10.216.254.0/26")}},
			Hosts: []driver.HostSpec{{Name: "box", Image: labimages.Base, ReadOnly: true,
				Networks: []driver.HostNetwork{{Network: "net", IP: netip.MustParseAddr("10.216.254.10")}}}},
		}
		if err := e.Create(context.Background(), spec); err != nil {
			t.Fatalf("create: %v", err)
		}
		t.Fatal("failing midway, the lab still up")
	})
}

// A test that fails midway leaves nothing on the engine: its range's
// networks and containers are removed all the same.
func TestARangeIsRemovedWhenItsTestFails(t *testing.T) {
	e := Engine(t) // skips without an engine; builds the images once
	cmd := exec.Command(os.Args[0], "-test.run=^TestLabThenFailure$", "-test.v")
	cmd.Env = append(os.Environ(), failingMidway+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "failing midway") {
		t.Fatalf("the child test did not fail midway as meant (%v):\n%s", err, out)
	}
	_, after, ok := strings.Cut(string(out), "range=")
	if !ok {
		t.Fatalf("the child named no range:\n%s", out)
	}
	rangeID := strings.Fields(after)[0]
	left, err := e.ForRange(rangeID).RangeObjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("range %s left %d objects on the engine after its test failed:\n%s", rangeID, left, out)
	}
}
