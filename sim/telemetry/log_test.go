package telemetry

import (
	"fmt"
	"testing"
)

// A bounded log drops its oldest events but keeps its numbering, so a
// reader asking for what is new after n gets exactly that.
func TestLogKeepsTheNewestAndCountsWhatItDropped(t *testing.T) {
	l := NewLog[string](4)
	for i := range 10 {
		l.Add(fmt.Sprint(i))
	}
	all, total := l.Since(0)
	if total != 10 || len(all) < 4 || all[len(all)-1] != "9" {
		t.Fatalf("kept %d of %d, last %v", len(all), total, all[len(all)-1])
	}
	newer, next := l.Since(8)
	if next != 10 || len(newer) != 2 || newer[0] != "8" {
		t.Fatalf("since 8: %d events from %v, next %d", len(newer), newer, next)
	}
	if none, _ := l.Since(10); len(none) != 0 {
		t.Fatalf("nothing is new after the last: %v", none)
	}
	if later, _ := l.Since(99); len(later) != 0 {
		t.Fatalf("asking past the end: %v", later)
	}
}
