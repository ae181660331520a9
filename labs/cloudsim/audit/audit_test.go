package audit

import (
	"fmt"
	"testing"
	"time"
)

// A bounded trail drops its oldest records but keeps its numbering, so a
// reader asking for what is new after n gets exactly that.
func TestTrailKeepsTheNewestAndCountsWhatItDropped(t *testing.T) {
	tr := New(4)
	for i := range 10 {
		tr.Add(Record{EventName: fmt.Sprint(i)}, time.Now())
	}
	all, total := tr.Since(0)
	if total != 10 || len(all) < 4 || all[len(all)-1].EventName != "9" {
		t.Fatalf("kept %d of %d, last %v", len(all), total, all[len(all)-1].EventName)
	}
	if all[0].EventID == "" || all[0].EventTime == "" || all[0].EventVersion == "" || !all[0].ManagementEvent {
		t.Fatalf("record not stamped: %+v", all[0])
	}
	newer, next := tr.Since(8)
	if next != 10 || len(newer) != 2 || newer[0].EventName != "8" {
		t.Fatalf("since 8: %d records from %v, next %d", len(newer), newer, next)
	}
	if none, _ := tr.Since(10); len(none) != 0 {
		t.Fatalf("nothing is new after the last: %v", none)
	}
	tr.Add(Record{EventName: "data", EventCategory: "Data"}, time.Now())
	if last, _ := tr.Since(10); last[0].ManagementEvent {
		t.Fatal("a data event marked as management")
	}
}
