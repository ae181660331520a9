package scoring

import (
	"fmt"
	"sort"
	"strings"
)

// A failed detection names one event it missed and one benign event it
// matched, in a few of their fields: what a detection engineer looks at
// next, rather than a bare count.

// gistFields are the fields that say most about an event, in the order a
// gist shows them: CloudTrail's, the Kubernetes audit log's, and process
// and network telemetry's.
var gistFields = []string{
	"eventName", "eventSource", "sourceIPAddress", "userIdentity.type", "userIdentity.userName",
	"requestParameters.bucketName", "requestParameters.key", "requestParameters.prefix", "errorCode",
	"verb", "objectRef.resource", "objectRef.namespace", "user.username", "sourceIPs",
	"EventID", "Image", "CommandLine", "DestinationIp", "DestinationPort",
}

// gistMax is how many fields a gist shows.
const gistMax = 5

// gist is a short view of an event: the first gistMax of gistFields it
// has, or else its first scalar fields by name.
func gist(ev map[string]any) string {
	var parts []string
	for _, f := range gistFields {
		if v, ok := lookupField(ev, f); ok && len(parts) < gistMax {
			parts = append(parts, f+"="+v)
		}
	}
	if len(parts) == 0 {
		keys := make([]string, 0, len(ev))
		for k := range ev {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v, ok := scalar(ev[k]); ok && len(parts) < gistMax {
				parts = append(parts, k+"="+v)
			}
		}
	}
	return strings.Join(parts, ", ")
}

// lookupField reads a dotted path to a scalar (or a list of scalars).
func lookupField(ev map[string]any, path string) (string, bool) {
	var cur any = ev
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[part]; !ok {
			return "", false
		}
	}
	if list, ok := cur.([]any); ok {
		var vals []string
		for _, x := range list {
			if v, ok := scalar(x); ok {
				vals = append(vals, v)
			}
		}
		return strings.Join(vals, "|"), len(vals) > 0
	}
	return scalar(cur)
}

func scalar(v any) (string, bool) {
	switch v.(type) {
	case string, bool, float64, int, int64:
		s := fmt.Sprint(v)
		if r := []rune(s); len(r) > 80 {
			s = string(r[:80]) + "…"
		}
		return s, s != ""
	}
	return "", false
}

// gradeGist names one missed and one wrongly matched event, as far as a
// failed grade has them.
func gradeGist(missed, falsePositive map[string]any) string {
	var out string
	if missed != nil {
		out += "; one it missed: " + gist(missed)
	}
	if falsePositive != nil {
		out += "; one benign event it matched: " + gist(falsePositive)
	}
	return out
}
