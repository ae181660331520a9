package trail

import (
	"regexp"
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

// S3's request ids are 16 upper-case hex digits; other services' UUIDs.
func TestRequestIDsInEachServicesShape(t *testing.T) {
	tr := New()
	s3 := tr.Add(Record{EventSource: "s3.amazonaws.com", EventName: "GetObject"}, time.Now())
	iam := tr.Add(Record{EventSource: "iam.amazonaws.com", EventName: "ListUsers"}, time.Now())
	if !regexp.MustCompile(`^[0-9A-F]{16}$`).MatchString(s3.RequestID) {
		t.Errorf("S3's request id: %q", s3.RequestID)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(iam.RequestID) {
		t.Errorf("IAM's request id: %q", iam.RequestID)
	}
}
