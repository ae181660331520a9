package policy

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	read := Must(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}}`)
	denyList := Must(`{"Statement":[{"Effect":"Deny","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)
	onlyFrom := Must(`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.1.15/32"]}}}]}`)
	bucket := Must(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/public/*"}]}`)
	inside, outside := netip.MustParseAddr("10.0.1.15"), netip.MustParseAddr("198.51.100.23")

	cases := []struct {
		name string
		req  Request
		docs []*Document
		want Decision
	}{
		{"wildcard action allows", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, []*Document{read}, Allowed},
		{"actions ignore case", Request{Action: "S3:getobject", Resource: "arn:aws:s3:::b/k"}, []*Document{read}, Allowed},
		{"nothing allows", Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k"}, []*Document{read}, NoMatch},
		{"explicit deny wins", Request{Action: "s3:ListAllMyBuckets", Resource: "*"}, []*Document{read, denyList}, Denied},
		{"deny outside the address", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", SourceIP: outside}, []*Document{read, onlyFrom}, Denied},
		{"allowed from the address", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", SourceIP: inside}, []*Document{read, onlyFrom}, Allowed},
		{"anonymous by bucket policy", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::site/public/a.html", Principal: "*"}, []*Document{bucket}, Allowed},
		{"resource wildcard stops at its pattern", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::site/private/a", Principal: "*"}, []*Document{bucket}, NoMatch},
		{"star crosses slashes", Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::site/public/a/b/c", Principal: "*"}, []*Document{bucket}, Allowed},
	}
	for _, c := range cases {
		if got := Evaluate(c.req, c.docs...); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseRefusesWhatItCannotEvaluate(t *testing.T) {
	for _, doc := range []string{
		`not json`,
		`{"Version":"2012-10-17"}`,
		`{"Statement":{"Effect":"Maybe","Action":"*"}}`,
		`{"Statement":{"Effect":"Allow","Resource":"*"}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Condition":{"IpAddress":{"aws:SourceIp":"not-an-ip"}}}}`,
		`{"Statement":{"Effect":"Deny","Action":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"yesterday"}}}}`,
		`{"Statement":{"Effect":"Deny","Action":"*","Condition":{"DateLessThan":{"aws:SourceIp":"2026-12-04T09:00:00Z"}}}}`,
	} {
		if _, err := Parse(doc); err == nil {
			t.Errorf("Parse(%s) accepted it", doc)
		}
	}
}

func TestPublicMeansAnyonePrincipal(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`:                      true,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}}`:              true,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]},"Action":"*","Resource":"*"}}`: true,
		`{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`:                       false,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:*","Resource":"*"}}`:    false,
	} {
		if got := Must(doc).Public(); got != want {
			t.Errorf("%s: public %v, want %v", doc, got, want)
		}
	}
}

func TestOutsiders(t *testing.T) {
	doc := Must(`{"Version": "2012-10-17", "Statement": [
	  {"Sid": "Backup", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/svc-backup"}, "Action": "s3:GetObject", "Resource": "*"},
	  {"Sid": "Own", "Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:root"]}, "Action": "s3:*", "Resource": "*"},
	  {"Sid": "NoOneElse", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": "*"},
	  {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::739215604118:root", "arn:aws:sts::444455556666:assumed-role/r/s"]}, "Action": "s3:GetObject", "Resource": "*"},
	  {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
	  {"Sid": "Bare", "Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "s3:GetObject", "Resource": "*"},
	  {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}]}`)
	got := doc.Outsiders("111122223333")
	want := []string{"arn:aws:iam::739215604118:root", "arn:aws:sts::444455556666:assumed-role/r/s", "*", "999988887777"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("outsiders %q, want %q", got, want)
	}
	if own := Must(`{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:*", "Resource": "*"}]}`).Outsiders("111122223333"); len(own) != 0 {
		t.Fatalf("the account's own principals counted as outsiders: %q", own)
	}
}

// The console's "Revoke active sessions" policy denies sessions issued
// before its time, and nothing else: not later sessions, not long-term
// keys (which have no aws:TokenIssueTime).
func TestRevokeOlderSessions(t *testing.T) {
	revoke := Must(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":["*"],"Resource":["*"],
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-12-04T09:00:00Z"}}}}`)
	allow := Must(`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, c := range []struct {
		issued time.Time
		want   Decision
	}{
		{at("2026-12-04T08:59:59Z"), Denied},
		{at("2026-12-04T09:00:00Z"), Allowed},
		{at("2026-12-04T09:30:00Z"), Allowed},
		{time.Time{}, Allowed},
	} {
		req := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", TokenIssued: c.issued, Now: at("2026-12-04T10:00:00Z")}
		if got := Evaluate(req, allow, revoke); got != c.want {
			t.Errorf("a session issued %v: %v, want %v", c.issued, got, c.want)
		}
	}
	late := Must(`{"Statement":{"Effect":"Deny","Action":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-12-31T00:00:00Z"}}}}`)
	if got := Evaluate(Request{Action: "s3:GetObject", Now: at("2026-12-04T10:00:00Z")}, allow, late); got != Allowed {
		t.Errorf("before the cut-off: %v", got)
	}
	if got := Evaluate(Request{Action: "s3:GetObject", Now: at("2027-01-01T00:00:00Z")}, allow, late); got != Denied {
		t.Errorf("after the cut-off: %v", got)
	}
}

// String conditions on the keys a request carries: a listing narrowed to a
// prefix, a statement for one user; the Not forms hold where the key is
// absent, as on AWS; keys the lab never fills are refused when stored.
func TestStringConditions(t *testing.T) {
	prefix := Must(`{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":["config/*"]}}}}`)
	list := func(ctx map[string]string) Decision {
		return Evaluate(Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: ctx}, prefix)
	}
	if got := list(map[string]string{"s3:prefix": "config/app"}); got != Allowed {
		t.Errorf("a listing of config/: %v", got)
	}
	if got := list(map[string]string{"s3:prefix": "exports/"}); got != NoMatch {
		t.Errorf("a listing of exports/: %v", got)
	}
	if got := list(map[string]string{}); got != NoMatch {
		t.Errorf("a listing without a prefix: %v", got)
	}
	notUser := Must(`{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:username":"ops-admin"}}}}`)
	for user, want := range map[string]Decision{"ops-admin": NoMatch, "intern": Denied, "": Denied} {
		ctx := map[string]string{}
		if user != "" {
			ctx["aws:username"] = user
		}
		if got := Evaluate(Request{Action: "s3:GetObject", Context: ctx}, notUser); got != want {
			t.Errorf("user %q: %v, want %v", user, got, want)
		}
	}
	if _, err := Parse(`{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}}`); err == nil {
		t.Error("a key the lab never fills was accepted")
	}
}
