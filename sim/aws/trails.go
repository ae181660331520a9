package aws

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/trail"
)

// TrailName is the name of the lab's one trail, the one the console
// suggests for a first trail.
const TrailName = "management-events"

// trailState is the lab's one trail as CloudTrail's control calls see it:
// whether it exists, whether it is logging, and which events it takes.
// A trail that is stopped, deleted or told to leave events out really has
// a gap: the records made meanwhile are in the account's event history
// (LookupEvents) but never reach the trail's bucket.
type trailState struct {
	mu         sync.Mutex
	exists     bool
	logging    bool
	selectors  []eventSelector
	startedAt  time.Time
	stoppedAt  time.Time
	delivery   *trail.Delivery
	region, id string
}

// eventSelector is one of a trail's basic event selectors.
type eventSelector struct {
	ReadWriteType                 string         `json:"ReadWriteType"`
	IncludeManagementEvents       bool           `json:"IncludeManagementEvents"`
	DataResources                 []dataResource `json:"DataResources"`
	ExcludeManagementEventSources []string       `json:"ExcludeManagementEventSources"`
}

type dataResource struct {
	Type   string   `json:"Type"`
	Values []string `json:"Values"`
}

// defaultSelectors are the lab trail's: every management event, and the
// object-level events of every bucket, so a lab's reads of its data are
// evidence too.
func defaultSelectors() []eventSelector {
	return []eventSelector{{ReadWriteType: "All", IncludeManagementEvents: true,
		DataResources: []dataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}, ExcludeManagementEventSources: []string{}}}
}

func (t *trailState) arn() string {
	return "arn:aws:cloudtrail:" + t.region + ":" + t.id + ":trail/" + TrailName
}

// takes decides whether the trail takes a record as it is made. The
// calls that stop and start it are taken whether it is logging or not, as
// CloudTrail logs both ends of a gap, but only as its event selectors
// say: a trail told to leave management events out has no record of them
// either.
func (t *trailState) takes(r trail.Record) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.exists {
		return false
	}
	ends := r.EventSource == "cloudtrail.amazonaws.com" && (r.EventName == "StopLogging" || r.EventName == "StartLogging")
	if !t.logging && !ends {
		return false
	}
	for _, sel := range t.selectors {
		if sel.ReadWriteType == "ReadOnly" && !r.ReadOnly || sel.ReadWriteType == "WriteOnly" && r.ReadOnly {
			continue
		}
		if r.ManagementEvent && sel.IncludeManagementEvents && !excluded(sel.ExcludeManagementEventSources, r.EventSource) {
			return true
		}
		if !r.ManagementEvent && r.EventSource == "s3.amazonaws.com" {
			for _, d := range sel.DataResources {
				if d.Type == "AWS::S3::Object" && len(d.Values) > 0 {
					return true
				}
			}
		}
	}
	return false
}

func excluded(sources []string, source string) bool {
	for _, s := range sources {
		if s == source {
			return true
		}
	}
	return false
}

// trails describes the lab's trail, as DescribeTrails does: one trail of
// every region's management events, delivered to the world's trail
// bucket; none when the world has no trail bucket or it was deleted.
func (s *Server) trails() []map[string]any {
	t := s.trail
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.exists {
		return []map[string]any{}
	}
	return []map[string]any{{
		"Name": TrailName, "S3BucketName": t.delivery.Bucket(), "HomeRegion": t.region, "TrailARN": t.arn(),
		"IncludeGlobalServiceEvents": true, "IsMultiRegionTrail": true, "LogFileValidationEnabled": false,
		"HasCustomEventSelectors": true, "HasInsightSelectors": false, "IsOrganizationTrail": false,
	}}
}

// trailRequest is the body of CloudTrail's control calls: the trail is
// Name, or TrailName for the event selector calls, as a name or an ARN.
type trailRequest struct {
	Name           string          `json:"Name"`
	TrailName      string          `json:"TrailName"`
	S3BucketName   string          `json:"S3BucketName"`
	EventSelectors []eventSelector `json:"EventSelectors"`
}

func (q trailRequest) trail() string {
	if q.Name != "" {
		return q.Name
	}
	return q.TrailName
}

// controlTrail serves a CloudTrail control call; it returns false for an
// action that is not one. params are the record's requestParameters.
func (s *Server) controlTrail(action string, body []byte, q *account.Call) (out any, params map[string]any, apiErr *account.APIError, ok bool) {
	switch action {
	case "GetTrailStatus", "StopLogging", "StartLogging", "GetEventSelectors", "PutEventSelectors", "DeleteTrail", "CreateTrail":
	default:
		return nil, nil, nil, false
	}
	var req trailRequest
	if len(body) > 0 && json.Unmarshal(body, &req) != nil {
		return nil, nil, &account.APIError{Status: http.StatusBadRequest, Code: "SerializationException", Message: "the request body is not JSON"}, true
	}
	t := s.trail
	params = map[string]any{"name": req.trail()}
	if action == "GetEventSelectors" || action == "PutEventSelectors" {
		params = map[string]any{"trailName": req.trail()}
	}
	if apiErr = s.acct.Authorize(q, "cloudtrail:"+action, t.arn()); apiErr != nil {
		return nil, params, apiErr, true
	}
	if action == "CreateTrail" {
		return s.createTrail(req)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	name := req.trail()
	if !t.exists || (name != TrailName && name != t.arn()) {
		return nil, params, &account.APIError{Status: http.StatusBadRequest, Code: "TrailNotFoundException",
			Message: "Unknown trail: " + name + " for the user: " + s.acct.ID}, true
	}
	now := s.acct.Now()
	switch action {
	case "GetTrailStatus":
		st := map[string]any{"IsLogging": t.logging}
		if !t.startedAt.IsZero() {
			st["StartLoggingTime"] = float64(t.startedAt.Unix())
		}
		if !t.stoppedAt.IsZero() {
			st["StopLoggingTime"] = float64(t.stoppedAt.Unix())
		}
		if last := t.delivery.Last(); !last.IsZero() {
			st["LatestDeliveryTime"] = float64(last.Unix())
			st["LatestDeliveryAttemptTime"] = last.UTC().Format(time.RFC3339)
		}
		return st, params, nil, true
	case "StopLogging":
		t.logging, t.stoppedAt = false, now
		return map[string]any{}, params, nil, true
	case "StartLogging":
		t.logging, t.startedAt = true, now
		return map[string]any{}, params, nil, true
	case "GetEventSelectors":
		return map[string]any{"TrailARN": t.arn(), "EventSelectors": t.selectors}, params, nil, true
	case "PutEventSelectors":
		if len(req.EventSelectors) == 0 || len(req.EventSelectors) > 5 {
			return nil, params, &account.APIError{Status: http.StatusBadRequest, Code: "InvalidEventSelectorsException",
				Message: "A trail has one to five event selectors."}, true
		}
		for i := range req.EventSelectors {
			switch req.EventSelectors[i].ReadWriteType {
			case "":
				req.EventSelectors[i].ReadWriteType = "All"
			case "All", "ReadOnly", "WriteOnly":
			default:
				return nil, params, &account.APIError{Status: http.StatusBadRequest, Code: "InvalidEventSelectorsException",
					Message: "ReadWriteType is one of ReadOnly, WriteOnly and All."}, true
			}
			if req.EventSelectors[i].DataResources == nil {
				req.EventSelectors[i].DataResources = []dataResource{}
			}
			if req.EventSelectors[i].ExcludeManagementEventSources == nil {
				req.EventSelectors[i].ExcludeManagementEventSources = []string{}
			}
		}
		t.selectors = req.EventSelectors
		params["eventSelectors"] = recordedSelectors(req.EventSelectors)
		return map[string]any{"TrailARN": t.arn(), "EventSelectors": t.selectors}, params, nil, true
	case "DeleteTrail":
		t.exists, t.logging = false, false
		return map[string]any{}, params, nil, true
	}
	return nil, params, nil, false
}

// recordedSelectors are event selectors as CloudTrail's record of
// PutEventSelectors writes them, in lower camel case (the call itself
// takes them capitalised).
func recordedSelectors(sels []eventSelector) []any {
	out := make([]any, len(sels))
	for i, sel := range sels {
		resources := make([]any, len(sel.DataResources))
		for j, d := range sel.DataResources {
			resources[j] = map[string]any{"type": d.Type, "values": d.Values}
		}
		out[i] = map[string]any{"readWriteType": sel.ReadWriteType, "includeManagementEvents": sel.IncludeManagementEvents,
			"dataResources": resources, "excludeManagementEventSources": sel.ExcludeManagementEventSources}
	}
	return out
}

// createTrail makes the lab's trail again after a DeleteTrail, delivering
// to a bucket of the account; like CloudTrail, it is not logging until
// StartLogging.
func (s *Server) createTrail(req trailRequest) (any, map[string]any, *account.APIError, bool) {
	params := map[string]any{"name": req.Name, "s3BucketName": req.S3BucketName}
	t := s.trail
	bad := func(code, msg string) (any, map[string]any, *account.APIError, bool) {
		return nil, params, &account.APIError{Status: http.StatusBadRequest, Code: code, Message: msg}, true
	}
	if req.Name != TrailName {
		return bad("InvalidTrailNameException", "This lab's account keeps one trail, named "+TrailName+".")
	}
	s.acct.Lock()
	_, bucket := s.acct.Buckets[req.S3BucketName]
	s.acct.Unlock()
	if !bucket {
		return bad("S3BucketDoesNotExistException", "S3 bucket "+req.S3BucketName+" does not exist.")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.exists {
		return bad("TrailAlreadyExistsException", "Trail "+TrailName+" already exists for customer: "+s.acct.ID)
	}
	t.exists, t.logging, t.selectors = true, false, defaultSelectors()
	t.delivery.SetBucket(req.S3BucketName)
	return map[string]any{"Name": TrailName, "S3BucketName": req.S3BucketName, "TrailARN": t.arn(), "IsMultiRegionTrail": true,
		"IncludeGlobalServiceEvents": true, "LogFileValidationEnabled": false, "IsOrganizationTrail": false}, params, nil, true
}
