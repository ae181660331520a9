package trail

import (
	"testing"
	"time"
)

// A record is stamped as CloudTrail stamps it, and a data event is not a
// management event.
func TestAddStampsRecords(t *testing.T) {
	tr := New()
	tr.Add(Record{EventName: "GetCallerIdentity"}, time.Now())
	tr.Add(Record{EventName: "GetObject", EventCategory: "Data"}, time.Now())
	all, total := tr.Since(0)
	if total != 2 {
		t.Fatalf("total %d", total)
	}
	r := all[0]
	if r.EventID == "" || r.EventTime == "" || r.EventVersion == "" || r.RequestID == "" || r.EventType != "AwsApiCall" || !r.ManagementEvent {
		t.Fatalf("record not stamped: %+v", r)
	}
	if all[1].ManagementEvent {
		t.Fatal("a data event marked as management")
	}
}
