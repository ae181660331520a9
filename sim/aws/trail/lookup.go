package trail

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

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

// LookupError is a LookupEvents call the service refuses.
type LookupError struct{ Code, Message string }

// Lookup answers CloudTrail's LookupEvents (its JSON request body) from t:
// management events of one region (event history is regional on AWS:
// global IAM calls show in us-east-1), newest first, a page at a time,
// within StartTime and EndTime when given.
func Lookup(t *Trail, body []byte, region string) (any, *LookupError) {
	var in struct {
		LookupAttributes []struct{ AttributeKey, AttributeValue string }
		MaxResults       int
		NextToken        string
		StartTime        *float64 // seconds since the epoch, as the CLI sends them
		EndTime          *float64
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, &LookupError{"SerializationException", "the request is not valid JSON"}
		}
	}
	if len(in.LookupAttributes) > 1 {
		return nil, &LookupError{"InvalidLookupAttributesException", "You cannot specify more than one lookup attribute."}
	}
	if in.StartTime != nil && in.EndTime != nil && *in.StartTime > *in.EndTime {
		return nil, &LookupError{"InvalidTimeRangeException", "Start time must be before end time."}
	}
	if in.MaxResults <= 0 || in.MaxResults > 50 {
		in.MaxResults = 50
	}
	skip, _ := strconv.Atoi(in.NextToken)
	all, _ := t.Since(0)
	var matched []lookupEvent
	for i := len(all) - 1; i >= 0; i-- {
		rec := all[i]
		if !rec.ManagementEvent || rec.AWSRegion != "" && rec.AWSRegion != region {
			continue
		}
		ev := lookupEvent{EventID: rec.EventID, EventName: rec.EventName, ReadOnly: strconv.FormatBool(rec.ReadOnly),
			AccessKeyID: rec.UserIdentity.AccessKeyID, EventSource: rec.EventSource, Username: usernameOf(rec.UserIdentity)}
		if t, err := time.Parse(time.RFC3339, rec.EventTime); err == nil {
			ev.EventTime = float64(t.Unix())
		}
		if (in.StartTime != nil && ev.EventTime < *in.StartTime) || (in.EndTime != nil && ev.EventTime > *in.EndTime) {
			continue
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

func usernameOf(id Identity) string {
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
