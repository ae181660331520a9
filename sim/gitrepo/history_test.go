package gitrepo

import (
	"testing"
	"time"
)

// A commit's date may be given relative to the lab's start, so that a
// story's "three weeks ago" is true on the day the lab runs.
func TestCommitDates(t *testing.T) {
	now := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	fixed := time.Date(2026, 10, 1, 9, 12, 0, 0, time.UTC)
	for _, tc := range []struct {
		when time.Time
		ago  string
		want time.Time
	}{
		{fixed, "", fixed},
		{time.Time{}, "21d", now.Add(-21 * 24 * time.Hour)},
		{time.Time{}, "20d23h48m", now.Add(-21*24*time.Hour + 12*time.Minute)},
		{time.Time{}, "90m", now.Add(-90 * time.Minute)},
	} {
		if got, err := commitDate(tc.when, tc.ago, now); err != nil || !got.Equal(tc.want) {
			t.Errorf("when %v, ago %q: %v, %v; want %v", tc.when, tc.ago, got, err, tc.want)
		}
	}
	for _, bad := range []struct {
		when time.Time
		ago  string
	}{{time.Time{}, ""}, {fixed, "21d"}, {time.Time{}, "three weeks"}, {time.Time{}, "-2d"}} {
		if _, err := commitDate(bad.when, bad.ago, now); err == nil {
			t.Errorf("when %v, ago %q was accepted", bad.when, bad.ago)
		}
	}
}
