// Package audit is the emulated cloud's audit trail: records in
// CloudTrail's shape, so what an analyst learns to read here reads the
// same in a real account, and what a detection rule is graded on is what
// the lab itself logged.
package audit

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// Record is one event, with CloudTrail's field names.
type Record struct {
	EventVersion        string         `json:"eventVersion"`
	EventTime           string         `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	UserIdentity        Identity       `json:"userIdentity"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestID           string         `json:"requestID"`
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	EventCategory       string         `json:"eventCategory"`
	RecipientAccountID  string         `json:"recipientAccountId"`
}

// Identity is who made a call. Anonymous callers have Type "AWSAccount"
// and AccountID "ANONYMOUS_PRINCIPAL", as CloudTrail writes them.
type Identity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// Trail keeps the records of one lab, oldest first, up to a bound.
type Trail struct {
	mu      sync.Mutex
	records []Record
	limit   int
	dropped int
}

// New makes a trail that keeps at least the newest limit records (the
// oldest go, a quarter of limit at a time).
func New(limit int) *Trail { return &Trail{limit: limit} }

// Add stamps a record's id, time and version fields and keeps it.
func (t *Trail) Add(r Record, now time.Time) Record {
	if r.EventVersion == "" {
		r.EventVersion = "1.08"
	}
	r.EventTime = now.UTC().Format(time.RFC3339)
	r.EventID = newID()
	if r.RequestID == "" {
		r.RequestID = newID()
	}
	if r.EventType == "" {
		r.EventType = "AwsApiCall"
	}
	if r.EventCategory == "" {
		r.EventCategory = "Management"
	}
	r.ManagementEvent = r.EventCategory == "Management"
	t.mu.Lock()
	defer t.mu.Unlock()
	t.records = append(t.records, r)
	// Trim in batches, so keeping the bound costs no copy per record.
	if len(t.records) > t.limit+t.limit/4 {
		n := len(t.records) - t.limit
		t.records = append([]Record(nil), t.records[n:]...)
		t.dropped += n
	}
	return r
}

// Since returns the records after the first n ever added (so a reader can
// take only what is new), and the count to ask from next time.
func (t *Trail) Since(n int) ([]Record, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	total := t.dropped + len(t.records)
	start := n - t.dropped
	if start < 0 {
		start = 0
	}
	if start > len(t.records) {
		start = len(t.records)
	}
	return append([]Record(nil), t.records[start:]...), total
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
