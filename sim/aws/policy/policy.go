// Package policy evaluates IAM policy documents the way AWS does for the
// cases the labs teach: an explicit Deny wins over any Allow, nothing is
// allowed unless some statement allows it, actions and resources match
// with * and ? wildcards, and a source-address condition narrows a
// statement. Anything else in a document is refused when it is stored,
// so a policy never silently means less than it says.
package policy

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"path"
	"strings"
	"time"
)

// Document is a parsed policy.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one rule of a policy.
type Statement struct {
	Sid       string                        `json:"Sid,omitempty"`
	Effect    string                        `json:"Effect"`
	Principal any                           `json:"Principal,omitempty"`
	Action    Strings                       `json:"Action,omitempty"`
	NotAction Strings                       `json:"NotAction,omitempty"`
	Resource  Strings                       `json:"Resource,omitempty"`
	Condition map[string]map[string]Strings `json:"Condition,omitempty"`
}

// Strings is a JSON string or list of strings.
type Strings []string

func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("must be a string or a list of strings")
	}
	*s = many
	return nil
}

// Parse reads a policy document (Statement may be one object or a list)
// and refuses what the evaluator does not understand.
func Parse(text string) (*Document, error) {
	var raw struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("not a JSON policy document: %v", err)
	}
	d := &Document{Version: raw.Version}
	if len(raw.Statement) == 0 {
		return nil, fmt.Errorf("the policy has no Statement")
	}
	if raw.Statement[0] == '{' {
		var st Statement
		if err := json.Unmarshal(raw.Statement, &st); err != nil {
			return nil, fmt.Errorf("Statement: %v", err)
		}
		d.Statement = []Statement{st}
	} else if err := json.Unmarshal(raw.Statement, &d.Statement); err != nil {
		return nil, fmt.Errorf("Statement: %v", err)
	}
	for i, st := range d.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, fmt.Errorf("statement %d: Effect must be Allow or Deny", i)
		}
		if len(st.Action) == 0 && len(st.NotAction) == 0 {
			return nil, fmt.Errorf("statement %d needs Action or NotAction", i)
		}
		for op, keys := range st.Condition {
			if err := checkCondition(op, keys); err != nil {
				return nil, fmt.Errorf("statement %d: Condition.%s: %v", i, op, err)
			}
		}
	}
	return d, nil
}

// Must parses a policy known to be valid (the scenario's own), panicking
// otherwise.
func Must(text string) *Document {
	d, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return d
}

// Request is one call to authorise.
type Request struct {
	Action    string // service:Name, e.g. s3:GetObject
	Resource  string // ARN
	Principal string // caller's ARN, for resource policies; "*" when anonymous
	SourceIP  netip.Addr
	// TokenIssued is when the caller's temporary credentials were issued
	// (aws:TokenIssueTime); zero for a user's long-term key, which has none.
	TokenIssued time.Time
	Now         time.Time // aws:CurrentTime
	// Context holds the request's other condition keys, by lower-case
	// name (aws:username, aws:principalarn, s3:prefix, ...), for the
	// string operators; a key the request does not have is absent.
	Context map[string]string
}

// Decision is the outcome of evaluating policies.
type Decision int

const (
	NoMatch Decision = iota // nothing says yes: implicitly denied
	Allowed
	Denied // an explicit Deny
)

// Evaluate applies the documents together: any explicit Deny wins, then
// any Allow, else no match. Principals are checked only for statements
// that name them (resource policies).
func Evaluate(req Request, docs ...*Document) Decision {
	out := NoMatch
	for _, d := range docs {
		if d == nil {
			continue
		}
		for _, st := range d.Statement {
			if !st.applies(req) {
				continue
			}
			if st.Effect == "Deny" {
				return Denied
			}
			out = Allowed
		}
	}
	return out
}

func (st Statement) applies(req Request) bool {
	if st.Principal != nil && !principalMatches(st.Principal, req.Principal) {
		return false
	}
	if len(st.Action) > 0 && !anyMatch(st.Action, req.Action, true) {
		return false
	}
	if len(st.NotAction) > 0 && anyMatch(st.NotAction, req.Action, true) {
		return false
	}
	if len(st.Resource) > 0 && !anyMatch(st.Resource, req.Resource, false) {
		return false
	}
	for op, keys := range st.Condition {
		for key, values := range keys {
			if !conditionHolds(op, key, values, req) {
				return false
			}
		}
	}
	return true
}

// Public reports whether the policy allows anyone at all (Principal "*"),
// which is what S3's BlockPublicPolicy refuses.
func (d *Document) Public() bool {
	for _, st := range d.Statement {
		if st.Effect == "Allow" && st.Principal != nil && principalMatches(st.Principal, "*") {
			return true
		}
	}
	return false
}

func principalMatches(p any, caller string) bool {
	switch v := p.(type) {
	case string:
		return v == "*" || v == caller
	case map[string]any:
		for _, list := range v {
			switch l := list.(type) {
			case string:
				if l == "*" || l == caller || accountRoot(l, caller) {
					return true
				}
			case []any:
				for _, x := range l {
					if s, _ := x.(string); s == "*" || s == caller || accountRoot(s, caller) {
						return true
					}
				}
			}
		}
	}
	return false
}

// accountRoot: naming an account's root in a policy grants to the account,
// whose own policies then decide.
func accountRoot(named, caller string) bool {
	acct, ok := strings.CutSuffix(named, ":root")
	if !ok {
		return false
	}
	acct = strings.TrimPrefix(acct, "arn:aws:iam::")
	return caller != "*" && strings.Contains(caller, "::"+acct+":")
}

func anyMatch(patterns []string, value string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p, value = strings.ToLower(p), strings.ToLower(value)
		}
		if Match(p, value) {
			return true
		}
	}
	return false
}

// Match reports whether value matches an IAM pattern with * and ?. Unlike
// file globs, * crosses '/' and ':' in IAM.
func Match(pattern, value string) bool {
	// path.Match treats '/' specially; map it away on both sides.
	const sep = "\x00"
	p := strings.ReplaceAll(escapeBrackets(pattern), "/", sep)
	ok, err := path.Match(p, strings.ReplaceAll(value, "/", sep))
	return err == nil && ok
}

func escapeBrackets(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(s)
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Outsiders are the AWS principals the policy's Allow statements name
// that are not of account: anyone ("*"), another account's root or one of
// its users or roles, or a bare account id. A bucket policy with any lets
// someone outside the account in. A service principal (CloudTrail writing
// its logs) is AWS acting for the account, not an outsider.
func (d *Document) Outsiders(account string) []string {
	var out []string
	for _, st := range d.Statement {
		if st.Effect != "Allow" || st.Principal == nil {
			continue
		}
		for _, p := range awsPrincipals(st.Principal) {
			if p == "*" || AccountOf(p) != account {
				out = append(out, p)
			}
		}
	}
	return out
}

// awsPrincipals lists a statement's AWS principals: "*", or those under
// its Principal's "AWS" key.
func awsPrincipals(p any) []string {
	switch v := p.(type) {
	case string:
		return []string{v}
	case map[string]any:
		switch l := v["AWS"].(type) {
		case string:
			return []string{l}
		case []any:
			var out []string
			for _, x := range l {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return nil
}

// AccountOf is the account a principal belongs to: the fifth field of an
// ARN, or the principal itself when it is a bare account id.
func AccountOf(principal string) string {
	if parts := strings.Split(principal, ":"); len(parts) >= 6 && parts[0] == "arn" {
		return parts[4]
	}
	return principal
}
