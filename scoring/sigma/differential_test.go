package sigma

import (
	"context"
	"slices"
	"testing"

	sigmago "github.com/bradleyjkemp/sigma-go"
	"github.com/bradleyjkemp/sigma-go/evaluator"
)

// A differential test against an independent evaluator, sigma-go, on the
// part of Sigma both implement: single-event detection rules over flat
// events (sigma-go has no keywords, no dotted paths without a field
// mapping, and no correlation rules). Every rule runs on every event.
// Where the two differ, the case names the rule of the specification
// (rules v2.0.0 and its modifiers appendix) that decides, and says what
// the specification matches; this evaluator must give that, and sigma-go
// must still differ, so a stale note is caught.

var differentialEvents = []Event{
	{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.9.19 Python/3.11", "bucketName": "payroll-exports", "key": "flag.txt", "readOnly": true},
	{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "sourceIPAddress": "10.213.0.11", "userAgent": "aws-sdk-go-v2/1.30", "bucketName": "static-assets", "key": "logo.png", "readOnly": true},
	{"eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.9.19 Python/3.11", "bucketName": "payroll-exports", "errorCode": "AccessDenied", "readOnly": false},
	{"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "sourceIPAddress": "198.51.100.7", "userAgent": "console.amazonaws.com", "readOnly": false},
	{"eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "sourceIPAddress": "203.0.113.9", "userAgent": "Boto3/1.34.2", "userName": "ops", "readOnly": false},
	{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "sourceIPAddress": "10.213.0.11", "userAgent": "aws-sdk-go-v2/1.30", "count": float64(3), "readOnly": true},
	{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "sourceIPAddress": "203.0.113.9", "userAgent": "AWS-CLI/2.9.19", "bucketName": "経理-機密データ", "key": "rapport-été.pdf", "readOnly": true},
	{"eventSource": "s3.amazonaws.com", "eventName": "getobject", "sourceIPAddress": "203.0.113.9", "userAgent": "curl/8.4.0", "bucketName": "PAYROLL-EXPORTS", "key": "Flag.TXT", "readOnly": true},
	{"Image": `C:\Windows\System32\cmd.exe`, "CommandLine": `cmd.exe /c whoami /all`, "ParentImage": `C:\Program Files\Vendor\agent.exe`, "User": `CORP\alice`},
	{"Image": `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "CommandLine": `powershell -enc SQBFAFgA`, "ParentImage": `C:\Windows\System32\cmd.exe`, "User": `CORP\mallory`},
	{"Image": `C:\Users\Public\cmd.exe`, "CommandLine": `cmd /c copy \\fs01\share\*.txt .`, "ParentImage": `C:\Users\Public\dropper.exe`, "User": `CORP\mallory`},
	{"Image": `C:\Windows\System32\net.exe`, "CommandLine": `net group "Domain Admins" /domain`, "ParentImage": `C:\Windows\System32\cmd.exe`, "User": `CORP\mallory`},
	{"Image": `C:\Windows\System32\nltest.exe`, "CommandLine": "nltest /dclist:", "ParentImage": `C:\Windows\explorer.exe`, "User": "", "errorCode": ""},
}

type differentialCase struct {
	rule string
	// decides, when the two evaluators differ, quotes the rule of the
	// specification that settles it; want is then what it matches.
	decides string
	want    []int
}

func rule(selection, condition string) string {
	return "detection:\n" + selection + "  condition: " + condition + "\n"
}

var differentialCases = []differentialCase{
	// Plain values, lists of values, maps and lists of maps.
	{rule: rule("  s:\n    eventName: GetObject\n", "s")},
	{rule: rule("  s:\n    eventName: [StopLogging, CreateAccessKey, PutBucketPolicy]\n", "s")},
	{rule: rule("  s:\n    eventSource: s3.amazonaws.com\n    sourceIPAddress: 198.51.100.7\n", "s")},
	{rule: rule("  s:\n    - eventName: StopLogging\n    - bucketName: payroll-exports\n", "s")},
	{rule: rule("  s:\n    bucketName: payroll-EXPORTS\n", "s")}, // "All values are treated as case-insensitive strings."
	{rule: rule("  s:\n    key: RAPPORT-ÉTÉ.PDF\n", "s")},
	{rule: rule("  s:\n    bucketName: 経理-機密データ\n", "s")},
	{rule: rule("  s:\n    count: 3\n", "s")},
	{rule: rule("  s:\n    readOnly: 'false'\n", "s")},
	{rule: rule("  s:\n    eventName: Missing\n", "s")},
	{rule: rule("  s:\n    User: 'CORP\\mallory'\n", "s")},
	{rule: rule("  s:\n    errorCode: ''\n", "s")},
	{rule: rule("  s:\n    CommandLine|contains: '\\\\fs01\\share\\'\n", "s")}, // \\ is one backslash here, still inside \\fs01
	// contains, startswith, endswith, all.
	{rule: rule("  s:\n    userAgent|contains: cli/2.9\n", "s")},
	{rule: rule("  s:\n    userAgent|startswith: aws-\n", "s")},
	{rule: rule("  s:\n    key|endswith: .TXT\n", "s")},
	{rule: rule("  s:\n    bucketName|contains: 機密\n", "s")},
	{rule: rule("  s:\n    key|contains: été\n", "s")},
	{rule: rule("  s:\n    Image|endswith: '\\cmd.exe'\n", "s")},
	{rule: rule("  s:\n    Image|startswith: 'C:\\Windows\\'\n", "s")},
	{rule: rule("  s:\n    ParentImage|contains: '\\System32\\'\n", "s")},
	{rule: rule("  s:\n    CommandLine|contains|all: [net, group, /domain]\n", "s")},
	{rule: rule("  s:\n    CommandLine|contains: [whoami, nltest, '-enc']\n", "s")},
	{rule: rule("  s:\n    Image|endswith: ['\\powershell.exe', '\\net.exe']\n    User|endswith: mallory\n", "s")},
	// re: case-sensitive unless asked.
	{rule: rule("  s:\n    sourceIPAddress|re: '^(10|192\\.168)\\.'\n", "s")},
	{rule: rule("  s:\n    eventName|re: '^Get'\n", "s")},
	{rule: rule("  s:\n    CommandLine|re: '-enc [A-Za-z0-9+/=]+$'\n", "s")},
	// cidr.
	{rule: rule("  s:\n    sourceIPAddress|cidr: 10.0.0.0/8\n", "s")},
	{rule: rule("  s:\n    sourceIPAddress|cidr: [198.51.100.0/24, 203.0.113.0/26]\n", "s")},
	{rule: rule("  s:\n    eventSource: s3.amazonaws.com\n  inside:\n    sourceIPAddress|cidr: 10.213.0.0/16\n", "s and not inside")},
	// Conditions.
	{rule: rule("  a:\n    eventSource: s3.amazonaws.com\n  b:\n    sourceIPAddress|startswith: '10.'\n", "a and not b")},
	{rule: rule("  a:\n    eventName: StopLogging\n  b:\n    eventName: CreateAccessKey\n  c:\n    sourceIPAddress: 198.51.100.7\n", "(a or b) and c")},
	{rule: rule("  a:\n    eventName: StopLogging\n  b:\n    eventName: CreateAccessKey\n  c:\n    sourceIPAddress: 198.51.100.7\n", "a or b and c")},
	{rule: rule("  a:\n    readOnly: 'true'\n", "not a")},
	{rule: rule("  sel_get:\n    eventName: GetObject\n  sel_put:\n    eventName: PutBucketPolicy\n  filter:\n    sourceIPAddress|startswith: '10.'\n", "1 of sel_* and not filter")},
	{rule: rule("  sel_s3:\n    eventSource: s3.amazonaws.com\n  sel_out:\n    sourceIPAddress: 198.51.100.7\n", "all of sel_*")},
	{rule: rule("  a:\n    eventName: StopLogging\n  b:\n    eventName: CreateAccessKey\n", "1 of them")},
	{rule: rule("  a:\n    eventSource: s3.amazonaws.com\n  b:\n    readOnly: 'true'\n", "all of them")},
	{rule: "detection:\n  a:\n    eventName: StopLogging\n  b:\n    eventName: CreateAccessKey\n  condition: [a, b]\n"},

	// Where the two differ.
	{rule: rule("  s:\n    eventName: Get*\n", "s"),
		decides: "You can use wildcard characters `*` and `?` in strings", want: []int{0, 1, 6, 7}},
	{rule: rule("  s:\n    userAgent: 'aws-???/*'\n", "s"),
		decides: "`?` to replace a single mandatory character. `*` to replace an unbounded length wildcard.", want: []int{0, 2, 6}},
	{rule: rule("  s:\n    bucketName|contains: 'pay*exp'\n", "s"),
		decides: "`contains`: Puts `*` wildcards around the values, such that the value is matched anywhere in the field.", want: []int{0, 2, 7}},
	{rule: rule("  s:\n    CommandLine|contains: 'share\\*.txt'\n", "s"), // the event has a backslash before its star
		decides: "A wildcard has to be escaped to be handled as a plain character. eg: `\\*`, `\\?`.", want: nil},
	{rule: rule("  s:\n    CommandLine|contains: 'share\\\\\\*.txt'\n", "s"),
		decides: "Three backslashes are necessary to escape both, the backslash and the wildcard and handle them as plain values: `\\\\\\*`.", want: []int{10}},
	{rule: rule("  s:\n    Image|startswith: 'C:\\\\Windows\\\\'\n", "s"),
		decides: "Plain backslash not followed by a wildcard can be expressed as single `\\` or double backslash `\\\\`.", want: []int{8, 9, 11, 12}},
	{rule: rule("  s:\n    eventSource: s3.amazonaws.com\n  _exclude:\n    sourceIPAddress|startswith: '10.'\n", "all of them"),
		decides: "`all of them`: AND across all defined search identifiers not starting with an underscore `_`.", want: []int{0, 1, 2, 6, 7}},
	{rule: rule("  s:\n    eventName: StopLogging\n  _helper:\n    eventName: CreateAccessKey\n", "1 of them"),
		decides: "`1 of them`: OR across all defined search identifiers not starting with an underscore `_`.", want: []int{3}},
	{rule: rule("  s:\n    eventSource: s3.amazonaws.com\n  filter:\n    errorCode: null\n", "s and filter"),
		decides: "A null value is defined with `null`.", want: []int{0, 1, 6, 7}},
}

func TestDifferentialAgainstSigmaGo(t *testing.T) {
	ctx := context.Background()
	compared, differ := 0, 0
	for _, tc := range differentialCases {
		ours, err := Parse(tc.rule)
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		theirRule, err := sigmago.ParseRule([]byte(tc.rule))
		if err != nil {
			t.Fatalf("sigma-go cannot read %s: %v", tc.rule, err)
		}
		theirs := evaluator.ForRule(theirRule)
		var got []int
		disagree := false
		for i, e := range differentialEvents {
			compared++
			mine := ours.Matches(e)
			if mine {
				got = append(got, i)
			}
			res, err := theirs.Matches(ctx, e)
			if err != nil || res.Match != mine {
				disagree = true
				if tc.decides == "" {
					t.Errorf("rule:\n%s\nevent %d: this evaluator says %v, sigma-go %v (%v), and no rule of the specification is named",
						tc.rule, i, mine, res.Match, err)
				}
			}
		}
		if tc.decides == "" {
			continue
		}
		differ++
		if !slices.Equal(got, tc.want) {
			t.Errorf("rule:\n%s\nmatched %v; the specification (%q) matches %v", tc.rule, got, tc.decides, tc.want)
		}
		if !disagree {
			t.Errorf("rule:\n%s\nsigma-go now agrees: the note %q is stale", tc.rule, tc.decides)
		}
	}
	t.Logf("%d rules × %d events = %d comparisons; %d rules differ, each settled by the specification",
		len(differentialCases), len(differentialEvents), compared, differ)
}
