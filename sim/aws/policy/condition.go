package policy

import (
	"fmt"
	"strings"
	"time"
)

// The condition operators and keys the lab's policies may use. Anything
// else is refused when a policy is stored, so that no policy silently
// means something other than it would on AWS.
//
//   - IpAddress, NotIpAddress on aws:SourceIp: who may call from where.
//   - DateLessThan, DateGreaterThan (and their Equals forms) on
//     aws:TokenIssueTime and aws:CurrentTime: what the console's "Revoke
//     active sessions" writes, a Deny of every session issued before now.
//   - StringEquals, StringNotEquals, StringLike, StringNotLike (and the
//     IgnoreCase forms of the first two) on the keys in stringKeys, such
//     as s3:prefix to narrow a listing.

var ipOperators = map[string]bool{"IpAddress": true, "NotIpAddress": true}

// stringOperators say whether the request's value matches one of the
// policy's; negated reports the Not forms, which hold when none matches
// (and when the request lacks the key, as on AWS).
var stringOperators = map[string]struct {
	match   func(have, want string) bool
	negated bool
}{
	"StringEquals":              {func(h, w string) bool { return h == w }, false},
	"StringNotEquals":           {func(h, w string) bool { return h == w }, true},
	"StringEqualsIgnoreCase":    {strings.EqualFold, false},
	"StringNotEqualsIgnoreCase": {strings.EqualFold, true},
	"StringLike":                {func(h, w string) bool { return Match(w, h) }, false},
	"StringNotLike":             {func(h, w string) bool { return Match(w, h) }, true},
}

// stringKeys are the condition keys the emulator fills in a request's
// Context: who calls, and what an S3 listing asks for.
var stringKeys = map[string]bool{"aws:username": true, "aws:principalarn": true, "aws:principaltype": true,
	"aws:userid": true, "s3:prefix": true, "s3:delimiter": true}

var dateOperators = map[string]func(a, b time.Time) bool{
	"DateLessThan":          func(a, b time.Time) bool { return a.Before(b) },
	"DateLessThanEquals":    func(a, b time.Time) bool { return !a.After(b) },
	"DateGreaterThan":       func(a, b time.Time) bool { return a.After(b) },
	"DateGreaterThanEquals": func(a, b time.Time) bool { return !a.Before(b) },
	"DateEquals":            func(a, b time.Time) bool { return a.Equal(b) },
	"DateNotEquals":         func(a, b time.Time) bool { return !a.Equal(b) },
}

func checkCondition(op string, keys map[string]Strings) error {
	for key, values := range keys {
		switch {
		case ipOperators[op]:
			if !strings.EqualFold(key, "aws:SourceIp") {
				return fmt.Errorf("%s takes aws:SourceIp", op)
			}
			for _, v := range values {
				if _, err := parsePrefix(v); err != nil {
					return fmt.Errorf("%q is not an address or CIDR range", v)
				}
			}
		case stringOperators[op].match != nil:
			if !stringKeys[strings.ToLower(key)] {
				return fmt.Errorf("%s: the key %s is not one the lab's requests carry (aws:username, aws:PrincipalArn, aws:PrincipalType, aws:userid, s3:prefix, s3:delimiter)", op, key)
			}
		case dateOperators[op] != nil:
			if !strings.EqualFold(key, "aws:TokenIssueTime") && !strings.EqualFold(key, "aws:CurrentTime") {
				return fmt.Errorf("%s takes aws:TokenIssueTime or aws:CurrentTime", op)
			}
			for _, v := range values {
				if _, err := parseDate(v); err != nil {
					return fmt.Errorf("%q is not a date (ISO 8601, such as 2026-12-04T09:00:00Z)", v)
				}
			}
		default:
			return fmt.Errorf("operator %s is not supported here (IpAddress, NotIpAddress, String…, Date…)", op)
		}
	}
	return nil
}

// conditionHolds evaluates one operator on one key. A key the request
// does not have (aws:TokenIssueTime for a long-term key) makes the
// condition false, as on AWS.
func conditionHolds(op, key string, values Strings, req Request) bool {
	if ipOperators[op] {
		in := false
		for _, v := range values {
			if p, err := parsePrefix(v); err == nil && req.SourceIP.IsValid() && p.Contains(req.SourceIP) {
				in = true
			}
		}
		return (op == "IpAddress") == in
	}
	if so := stringOperators[op]; so.match != nil {
		have, ok := req.Context[strings.ToLower(key)]
		matched := false
		for _, v := range values {
			if ok && so.match(have, v) {
				matched = true
			}
		}
		return matched != so.negated
	}
	var have time.Time
	if strings.EqualFold(key, "aws:TokenIssueTime") {
		have = req.TokenIssued
	} else {
		have = req.Now
	}
	if have.IsZero() {
		return false
	}
	cmp := dateOperators[op]
	for _, v := range values {
		if t, err := parseDate(v); err == nil && cmp(have, t) {
			return true
		}
	}
	return false
}

func parseDate(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}
