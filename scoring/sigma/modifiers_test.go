package sigma

import (
	"errors"
	"strings"
	"testing"
)

// The generic and IP modifiers of the modifiers appendix beyond the
// string ones, each case with the appendix's words.
func TestCasedExistsCidr(t *testing.T) {
	event := Event{"eventName": "GetObject", "sourceIPAddress": "10.213.0.11", "errorCode": nil, "userAgent": "AWS-CLI/2.9",
		"tlsDetails": map[string]any{"clientProvidedHostHeader": ""}, "vpcEndpointId": "vpce-1", "ipv6": "2001:db8::7"}
	cases := []struct {
		quote, rule string
		want        bool
	}{
		{"cased: Values are applied case sensitively.", field("userAgent|cased", "AWS-CLI/*"), true},
		{"cased: Values are applied case sensitively.", field("userAgent|cased", "aws-cli/*"), false},
		{"cased: Values are applied case sensitively.", field("userAgent|contains|cased", "cli"), false},
		{"cased: Values are applied case sensitively.", field("userAgent|startswith|cased", "AWS"), true},
		{"exists: ... has to exist or must not exist in a log event by providing a boolean value.", "detection:\n  s:\n    vpcEndpointId|exists: true\n  condition: s\n", true},
		{"exists: ... has to exist or must not exist in a log event by providing a boolean value.", "detection:\n  s:\n    additionalEventData|exists: true\n  condition: s\n", false},
		{"exists: ... has to exist or must not exist in a log event by providing a boolean value.", "detection:\n  s:\n    additionalEventData|exists: false\n  condition: s\n", true},
		{"this check only verifies the presence of a field, not its value, be it empty or null", "detection:\n  s:\n    errorCode|exists: true\n  condition: s\n", true},
		{"this check only verifies the presence of a field, not its value, be it empty or null", "detection:\n  s:\n    tlsDetails.clientProvidedHostHeader|exists: true\n  condition: s\n", true},
		{"cidr: The value is handled as a CIDR network range specification", field("sourceIPAddress|cidr", "10.0.0.0/8"), true},
		{"cidr: The value is handled as a CIDR network range specification", field("sourceIPAddress|cidr", "10.213.1.0/24"), false},
		{"Supports both IPv4 and IPv6 notations.", field("ipv6|cidr", "2001:db8::/32"), true},
		{"Supports both IPv4 and IPv6 notations.", "detection:\n  s:\n    sourceIPAddress|cidr: ['192.168.0.0/16', '10.213.0.0/16']\n  condition: s\n", true},
		{"cidr on a field that is not an address", field("eventName|cidr", "10.0.0.0/8"), false},
	}
	for _, tc := range cases {
		r, err := Parse(tc.rule)
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		if got := r.Matches(event); got != tc.want {
			t.Errorf("%s: matched %v, want %v; the appendix: %q", tc.rule, got, tc.want, tc.quote)
		}
	}
	for rule, reason := range map[string]string{
		field("sourceIPAddress|cidr", "10.0.0/8"):                             "not a network range",
		"detection:\n  s:\n    a|exists: yes please\n  condition: s\n":        "exists takes true or false",
		"detection:\n  s:\n    a|exists|all: [true, false]\n  condition: s\n": "exists takes no other modifier",
		field("a|re|cased", "x"):                                              "cased is for text matches",
		field("a|contains|cidr", "x"):                                         "cannot be combined",
		field("a|i", "x"):                                                     "sub-modifier of re",
		"detection:\n  s:\n    '|contains': [a, b]\n  condition: s\n":         "takes only the all modifier",
		"detection:\n  s:\n    '': [a, b]\n  condition: s\n":                  "keyword search, written '|all'",
	} {
		_, err := Parse(rule)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Reason, reason) {
			t.Errorf("%s: accepted or unclear: %v (want %q)", rule, err, reason)
		}
	}
}

// re is case-sensitive unless its i sub-modifier says otherwise.
func TestRegularExpressionSubModifiers(t *testing.T) {
	event := Event{"CommandLine": "Invoke-WebRequest http://x\nIEX $r"}
	for rule, want := range map[string]bool{
		field("CommandLine|re", "invoke-webrequest"):   false, // "Regex is matched case-sensitive by default."
		field("CommandLine|re|i", "invoke-webrequest"): true,  // "i: (insensitive) to enable case-insensitive matching."
		field("CommandLine|re", "^IEX"):                false,
		field("CommandLine|re|m", "^IEX"):              true, // "m: (multi line) to match across multiple lines."
		field("CommandLine|re", "http.*IEX"):           false,
		field("CommandLine|re|s", "http.*IEX"):         true, // "s: (single line) to enable that dot (.) matches all characters"
	} {
		r, err := Parse(rule)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Matches(event); got != want {
			t.Errorf("%s: matched %v, want %v", rule, got, want)
		}
	}
}
