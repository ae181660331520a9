package labs

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// The settle counts from each host's own start: a lab whose hosts have
// all been up long enough is running at once, without a fixed wait.
func TestTheSettleCountsFromEachHostsStart(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	lab := func(started ...time.Time) driver.InstanceStatus {
		var st driver.InstanceStatus
		for _, s := range started {
			st.Hosts = append(st.Hosts, driver.HostState{Running: true, StartedAt: s})
		}
		return st
	}
	for _, c := range []struct {
		name string
		st   driver.InstanceStatus
		want time.Duration
	}{
		{"all up long enough", lab(now.Add(-2*time.Second), now.Add(-settleTime)), 0},
		{"the youngest decides", lab(now.Add(-time.Second), now.Add(-100*time.Millisecond)), 200 * time.Millisecond},
		{"a start not recorded counts as now", lab(now.Add(-time.Second), time.Time{}), settleTime},
		{"a start in the future counts as now", lab(now.Add(time.Second)), settleTime},
	} {
		if got := settleLeft(c.st, now); got != c.want {
			t.Errorf("%s: %v left, want %v", c.name, got, c.want)
		}
	}
}
