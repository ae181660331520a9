// Package trail is the emulated cloud's audit trail: records in
// CloudTrail's shape, so what an analyst learns to read here reads the
// same in a real account, and what a detection rule is graded on is what
// the lab itself logged. The records are telemetry events: the platform
// reads them as JSON lines like every emulator's.
package trail

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/telemetry"
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

	// Withheld marks a record the trail did not take (it was stopped,
	// deleted, or its event selectors left the record out): the record is
	// in the account's event history (LookupEvents) and the lab's log for
	// grading, but never delivered to the trail's bucket.
	Withheld bool `json:"-"`
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

// trailLimit bounds the records a lab keeps; a lab lives hours, not years.
const trailLimit = 20000

// Trail is one lab's audit trail, in the telemetry format.
type Trail struct {
	log   *telemetry.Log[Record]
	takes func(Record) bool // whether the trail's logging takes a record; nil: all
}

// Gate sets what decides, as each record is made, whether the trail's
// logging takes it; a record it does not take is Withheld.
func (t *Trail) Gate(takes func(Record) bool) { t.takes = takes }

// New makes an empty trail.
func New() *Trail { return &Trail{log: telemetry.NewLog[Record](trailLimit)} }

// Add stamps a record's id, time and version fields, as CloudTrail does,
// and keeps it.
func (t *Trail) Add(r Record, now time.Time) Record {
	if r.EventVersion == "" {
		r.EventVersion = "1.08"
	}
	r.EventTime = now.UTC().Format(time.RFC3339)
	r.EventID = newID()
	if r.RequestID == "" {
		r.RequestID = newID()
		if r.EventSource == "s3.amazonaws.com" {
			r.RequestID = s3RequestID() // S3's own shape
		}
	}
	if r.EventType == "" {
		r.EventType = "AwsApiCall"
	}
	if r.EventCategory == "" {
		r.EventCategory = "Management"
	}
	r.ManagementEvent = r.EventCategory == "Management"
	if t.takes != nil {
		r.Withheld = !t.takes(r)
	}
	t.log.Add(r)
	return r
}

// Since returns the records after the first n ever added, and the count
// to ask from next time.
func (t *Trail) Since(n int) ([]Record, int) { return t.log.Since(n) }

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// s3RequestID is a request id as S3 writes them: 16 upper-case hex digits.
func s3RequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
