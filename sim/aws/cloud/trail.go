package cloud

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sakimori/sakimori/sim/aws/trail"
)

// deliverEvery is how often the trail writes a log file to its bucket.
// CloudTrail takes about five minutes; a lab cannot wait that long.
const deliverEvery = 5 * time.Second

// deliver writes new audit records to the trail bucket as CloudTrail
// does: gzipped {"Records": [...]} files under AWSLogs/<account>/.
func (s *Server) deliver(ctx context.Context) {
	if s.trailBucket == "" {
		return
	}
	t := time.NewTicker(deliverEvery)
	defer t.Stop()
	next := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next = s.deliverSince(next)
	}
}

// deliverSince writes the records after the first next as one log file
// and returns where the next file starts.
func (s *Server) deliverSince(next int) int {
	records, next := s.events.Since(next)
	if len(records) == 0 {
		return next
	}
	now := s.now().UTC()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_ = json.NewEncoder(zw).Encode(map[string]any{"Records": records})
	_ = zw.Close()
	key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz", s.acct.ID, s.acct.Region,
		now.Format("2006/01/02"), s.acct.ID, s.acct.Region, now.Format("20060102T150405Z"), randomID(16))
	_, _ = s.backend.PutObject(s.trailBucket, key, map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"},
		bytes.NewReader(buf.Bytes()), int64(buf.Len()), nil)
	return next
}

// serveJSON is the JSON protocol; the only action served is CloudTrail's
// LookupEvents, which returns management events, newest first.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBody))
	if err != nil {
		body = nil
	}
	target := r.Header.Get("X-Amz-Target")
	c, apiErr := s.authenticate(r, body, "cloudtrail")
	action := target[strings.LastIndex(target, ".")+1:]
	var out any
	switch {
	case apiErr != nil:
	case c.Anonymous():
		apiErr = &APIError{http.StatusBadRequest, "MissingAuthenticationTokenException", "Request is missing Authentication Token"}
	case action != "LookupEvents":
		apiErr = &APIError{http.StatusBadRequest, "UnknownOperationException", "Unknown operation " + target}
	default:
		q := &Call{Service: "cloudtrail", Caller: c}
		if apiErr = s.authorize(q, "cloudtrail:LookupEvents", "*"); apiErr == nil {
			out, apiErr = s.lookupEvents(body)
		}
	}
	s.record(c, "cloudtrail.amazonaws.com", action, nil, nil, apiErr, false)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if apiErr != nil {
		w.WriteHeader(apiErr.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": apiErr.Code, "message": apiErr.Message})
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

type lookupEvent struct {
	EventID         string  `json:"EventId"`
	EventName       string  `json:"EventName"`
	ReadOnly        string  `json:"ReadOnly"`
	AccessKeyID     string  `json:"AccessKeyId,omitempty"`
	EventTime       float64 `json:"EventTime"`
	EventSource     string  `json:"EventSource"`
	Username        string  `json:"Username,omitempty"`
	CloudTrailEvent string  `json:"CloudTrailEvent"`
}

func (s *Server) lookupEvents(body []byte) (any, *APIError) {
	var in struct {
		LookupAttributes []struct{ AttributeKey, AttributeValue string }
		MaxResults       int
		NextToken        string
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, &APIError{http.StatusBadRequest, "SerializationException", "the request is not valid JSON"}
		}
	}
	if len(in.LookupAttributes) > 1 {
		return nil, &APIError{http.StatusBadRequest, "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute."}
	}
	if in.MaxResults <= 0 || in.MaxResults > 50 {
		in.MaxResults = 50
	}
	skip, _ := strconv.Atoi(in.NextToken)
	all, _ := s.events.Since(0)
	var matched []lookupEvent
	for i := len(all) - 1; i >= 0; i-- {
		rec := all[i]
		if !rec.ManagementEvent {
			continue
		}
		ev := lookupEvent{EventID: rec.EventID, EventName: rec.EventName, ReadOnly: strconv.FormatBool(rec.ReadOnly),
			AccessKeyID: rec.UserIdentity.AccessKeyID, EventSource: rec.EventSource, Username: usernameOf(rec.UserIdentity)}
		if t, err := time.Parse(time.RFC3339, rec.EventTime); err == nil {
			ev.EventTime = float64(t.Unix())
		}
		if len(in.LookupAttributes) == 1 && !attributeMatches(in.LookupAttributes[0].AttributeKey, in.LookupAttributes[0].AttributeValue, ev) {
			continue
		}
		raw, _ := json.Marshal(rec)
		ev.CloudTrailEvent = string(raw)
		matched = append(matched, ev)
	}
	out := map[string]any{"Events": []lookupEvent{}}
	if skip < len(matched) {
		end := min(skip+in.MaxResults, len(matched))
		out["Events"] = matched[skip:end]
		if end < len(matched) {
			out["NextToken"] = strconv.Itoa(end)
		}
	}
	return out, nil
}

func usernameOf(id trail.Identity) string {
	if id.UserName != "" {
		return id.UserName
	}
	if i := strings.LastIndex(id.ARN, "/"); i >= 0 {
		return id.ARN[i+1:]
	}
	return ""
}

func attributeMatches(key, value string, ev lookupEvent) bool {
	switch key {
	case "EventName":
		return ev.EventName == value
	case "EventSource":
		return ev.EventSource == value
	case "AccessKeyId":
		return ev.AccessKeyID == value
	case "Username":
		return ev.Username == value
	case "ReadOnly":
		return ev.ReadOnly == value
	case "EventId":
		return ev.EventID == value
	}
	return false
}
