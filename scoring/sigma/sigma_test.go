package sigma

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// CloudTrail-shaped events: the instance role's key used from the
// instance and, after theft, from an outside address.
const eventsJSON = `[
 {"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.9.19 Python/3.11",
  "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/web-role/i-0abc","accessKeyId":"ASIAEXAMPLE1"}},
 {"eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.9.19 Python/3.11",
  "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/web-role/i-0abc","accessKeyId":"ASIAEXAMPLE1"},
  "requestParameters":{"bucketName":"payroll-exports","key":"flag.txt"}},
 {"eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"10.213.0.11","userAgent":"aws-sdk-go-v2/1.30",
  "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/web-role/i-0abc","accessKeyId":"ASIAEXAMPLE1"},
  "requestParameters":{"bucketName":"static-assets","key":"logo.png"}},
 {"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","sourceIPAddress":"198.51.100.7","errorCode":null,
  "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/ops"}},
 {"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","sourceIPAddress":"10.213.0.11","tags":["prod","web"],"count":3,
  "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/web-role/i-0abc"}}
]`

func events(t *testing.T) []Event {
	var e []Event
	if err := json.Unmarshal([]byte(eventsJSON), &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRuleShapes: each rule, in the forms public rule sets use, matches
// exactly the events listed.
func TestRuleShapes(t *testing.T) {
	cases := []struct {
		name, rule string
		want       []int
	}{
		{"field equals, list of values", `
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: [StopLogging, DeleteTrail, UpdateTrail]
  condition: selection`, []int{3}},
		{"case-insensitive and wildcards", `
detection:
  selection:
    eventName: get*
    userAgent: 'aws-cli/*'
  condition: selection`, []int{1}},
		{"contains, startswith, endswith on nested fields", `
detection:
  role:
    userIdentity.arn|contains: ':assumed-role/web-role/'
    userIdentity.accessKeyId|startswith: ASIA
  outside:
    sourceIPAddress|startswith: '10.213.'
  png:
    requestParameters.key|endswith: .png
  condition: role and not outside`, []int{0, 1}},
		{"1 of with a wildcard pattern", `
detection:
  sel_list:
    eventName: ListBuckets
  sel_stop:
    eventName: StopLogging
  condition: 1 of sel_*`, []int{0, 3}},
		{"all of them", `
detection:
  s3:
    eventSource: s3.amazonaws.com
  readers:
    eventName: GetObject
  condition: all of them`, []int{1, 2}},
		{"parentheses and precedence", `
detection:
  a:
    eventName: GetObject
  b:
    eventName: ListBuckets
  c:
    sourceIPAddress: 198.51.100.7
  condition: (a or b) and c`, []int{0, 1}},
		{"list of maps is any of them", `
detection:
  selection:
    - eventName: StopLogging
    - requestParameters.bucketName: payroll-exports
  condition: selection`, []int{1, 3}},
		{"null means absent", `
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    errorCode: null
  condition: selection`, []int{3}},
		{"re modifier", `
detection:
  selection:
    userIdentity.arn|re: 'assumed-role/[a-z-]+/i-[0-9a-f]+$'
    eventSource: ec2.amazonaws.com
  condition: selection`, []int{4}},
		{"all modifier over a list field", `
detection:
  selection:
    tags|all: [prod, web]
  condition: selection`, []int{4}},
		{"numbers", `
detection:
  selection:
    count: 3
  condition: selection`, []int{4}},
		{"keywords", `
detection:
  keywords:
    - payroll
  condition: keywords`, []int{1}},
		{"escaped wildcard is literal", `
detection:
  selection:
    eventName: 'Get\*'
  condition: selection`, nil},
		{"conditions as a list are any of them", `
detection:
  a:
    eventName: StopLogging
  b:
    eventName: DescribeInstances
  condition: [a, b]`, []int{3, 4}},
	}
	evs := events(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse(tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i, e := range evs {
				if r.Matches(e) {
					got = append(got, i)
				}
			}
			if len(got) != len(tc.want) || (len(got) > 0 && !equal(got, tc.want)) {
				t.Fatalf("matched %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRefusedRules(t *testing.T) {
	cases := map[string]string{
		"aggregation": `
detection:
  s: {eventName: GetObject}
  condition: s | count() by sourceIPAddress > 5`,
		"unsupported modifier": `
detection:
  s: {userAgent|base64offset|contains: curl}
  condition: s`,
		"timeframe": `
detection:
  s: {eventName: GetObject}
  timeframe: 5m
  condition: s`,
		"unknown selection": `
detection:
  s: {eventName: GetObject}
  condition: s and t`,
		"no condition":            "detection:\n  s: {eventName: GetObject}\n",
		"no detection":            "title: nothing here\n",
		"bad regex":               "detection:\n  s: {eventName|re: '(['}\n  condition: s\n",
		"not yaml":                "detection: [unclosed\n",
		"dangling and":            "detection:\n  s: {eventName: x}\n  condition: s and\n",
		"open paren":              "detection:\n  s: {eventName: x}\n  condition: (s\n",
		"two modifiers":           "detection:\n  s: {eventName|contains|startswith: x}\n  condition: s\n",
		"pattern matches nothing": "detection:\n  s: {eventName: x}\n  condition: 1 of zz*\n",
	}
	for name, rule := range cases {
		t.Run(name, func(t *testing.T) {
			var e *Error
			if _, err := Parse(rule); !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("accepted or unclear: %v", err)
			}
		})
	}
}

func TestGrading(t *testing.T) {
	evs := events(t)
	malicious, benign := evs[:2], evs[2:] // the stolen key from outside vs. the rest
	good, _ := Parse(`
detection:
  role:
    userIdentity.arn|contains: assumed-role/web-role/
  inside:
    sourceIPAddress|startswith: '10.213.'
  condition: role and not inside`)
	if g := good.Evaluate(malicious, benign); !g.Pass() || g.MaliciousMatched != 2 {
		t.Fatalf("a correct detection failed: %+v", g)
	}
	noisy, _ := Parse("detection:\n  s: {userIdentity.arn|contains: web-role}\n  condition: s\n")
	if g := noisy.Evaluate(malicious, benign); g.Pass() || len(g.FalsePositives) != 2 {
		t.Fatalf("a noisy detection passed: %+v", g)
	}
	narrow, _ := Parse("detection:\n  s: {eventName: ListBuckets}\n  condition: s\n")
	if g := narrow.Evaluate(malicious, benign); g.Pass() || len(g.Missed) != 1 {
		t.Fatalf("a detection missing an event passed: %+v", g)
	}
	if g := good.Evaluate(nil, benign); g.Pass() {
		t.Fatal("a rule passed with nothing to detect")
	}
	if !strings.Contains((&Error{Reason: "x"}).Error(), "sigma") {
		t.Fatal("errors do not say where they come from")
	}
}

// TestFieldsInsideLists: a dotted path reads every item of a list of
// objects, as CloudTrail's PutEventSelectors record holds its selectors.
func TestFieldsInsideLists(t *testing.T) {
	var evs []Event
	if err := json.Unmarshal([]byte(`[
 {"eventName":"PutEventSelectors","requestParameters":{"eventSelectors":[
   {"readWriteType":"All","includeManagementEvents":true},
   {"readWriteType":"ReadOnly","includeManagementEvents":false,"dataResources":[{"type":"AWS::S3::Object","values":["arn:aws:s3"]}]}]}},
 {"eventName":"PutEventSelectors","requestParameters":{"eventSelectors":[{"readWriteType":"All","includeManagementEvents":true}]}},
 {"eventName":"PutEventSelectors","requestParameters":{"eventSelectors":[]}},
 {"eventName":"StopLogging","requestParameters":{"name":"management-events"}}
]`), &evs); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		rule string
		want []int
	}{
		{"detection:\n  s: {requestParameters.eventSelectors.includeManagementEvents: 'false'}\n  condition: s\n", []int{0}},
		{"detection:\n  s: {requestParameters.eventSelectors.readWriteType: All}\n  condition: s\n", []int{0, 1}},
		{"detection:\n  s: {requestParameters.eventSelectors.dataResources.type|startswith: 'AWS::S3'}\n  condition: s\n", []int{0}},
		{"detection:\n  s: {requestParameters.eventSelectors.readWriteType|exists: true}\n  condition: s\n", []int{0, 1}},
		{"detection:\n  s: {requestParameters.eventSelectors.readWriteType: null}\n  condition: s\n", []int{2, 3}},
	}
	for _, c := range cases {
		r, err := Parse(c.rule)
		if err != nil {
			t.Fatalf("%s: %v", c.rule, err)
		}
		var got []int
		for i, e := range evs {
			if r.Matches(e) {
				got = append(got, i)
			}
		}
		if !equal(got, c.want) {
			t.Errorf("%s matched %v, want %v", c.rule, got, c.want)
		}
	}
}

func equal(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
