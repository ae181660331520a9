package aws

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/trail"
)

// serveJSON is the JSON protocol; the actions served are CloudTrail's
// LookupEvents (sim/aws/trail), DescribeTrails, and the calls that
// control the trail (trails.go).
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBody))
	if err != nil {
		body = nil
	}
	target := r.Header.Get("X-Amz-Target")
	c, apiErr := s.acct.Authenticate(r, body, "cloudtrail")
	action := target[strings.LastIndex(target, ".")+1:]
	var out any
	var params map[string]any
	switch {
	case apiErr != nil:
	case c.Anonymous():
		apiErr = &account.APIError{Status: http.StatusBadRequest, Code: "MissingAuthenticationTokenException", Message: "Request is missing Authentication Token"}
	case action == "DescribeTrails":
		q := &account.Call{Service: "cloudtrail", Caller: c}
		if apiErr = s.acct.Authorize(q, "cloudtrail:DescribeTrails", "*"); apiErr == nil {
			out = map[string]any{"trailList": s.trails()}
		}
	case action != "LookupEvents":
		var served bool
		if out, params, apiErr, served = s.controlTrail(action, body, &account.Call{Service: "cloudtrail", Caller: c}); !served {
			apiErr = &account.APIError{Status: http.StatusBadRequest, Code: "UnknownOperationException", Message: "Unknown operation " + target}
		}
	default:
		q := &account.Call{Service: "cloudtrail", Caller: c}
		if apiErr = s.acct.Authorize(q, "cloudtrail:LookupEvents", "*"); apiErr == nil {
			var lerr *trail.LookupError
			if out, lerr = trail.Lookup(s.acct.Trail, body, c.Region); lerr != nil {
				apiErr = &account.APIError{Status: http.StatusBadRequest, Code: lerr.Code, Message: lerr.Message}
			}
		}
	}
	if apiErr != nil && apiErr.Code == "AccessDenied" {
		apiErr.Code = "AccessDeniedException" // the JSON protocol's name for it
	}
	s.acct.Record(c, "cloudtrail.amazonaws.com", action, params, nil, apiErr, false)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if apiErr != nil {
		w.WriteHeader(apiErr.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": apiErr.Code, "message": apiErr.Message})
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}
