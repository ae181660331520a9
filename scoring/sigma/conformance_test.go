package sigma

import (
	"errors"
	"strings"
	"testing"
)

// The deviations from the Sigma specification (rules v2.0.0 and the
// modifiers appendix) that grading once had, one table each. Every case
// quotes the rule of the specification that decides it.

// conformanceEvent is one Windows process start and one CloudTrail-like
// record rolled into a single event, so each case can name the field it
// reads.
var conformanceEvent = Event{
	"Image":       `C:\Windows\System32\cmd.exe`,
	"CommandLine": `cmd.exe /c copy C:\Temp\*.txt \\fs01\drop`,
	"ParentImage": `C:\Program Files\Vendor\agent.exe`,
	"requestParameters": map[string]any{
		"key":         "rapport-été.pdf",
		"bucketName":  "経理-機密データ",
		"description": "顧客名簿のエクスポート",
	},
	"userAgent": "Ünïcode-Agent/1.0",
	"Message":   "OabVirtualDirectory was set with -ExternalUrl https://example.test",
}

type conformanceCase struct {
	name, rule string
	want       bool
}

func runConformance(t *testing.T, quote string, cases []conformanceCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse(tc.rule)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if got := r.Matches(conformanceEvent); got != tc.want {
				t.Fatalf("matched %v, want %v; the specification: %q", got, tc.want, quote)
			}
		})
	}
}

func field(key, value string) string {
	return "detection:\n  selection:\n    " + key + ": '" + strings.ReplaceAll(value, "'", "''") + "'\n  condition: selection\n"
}

// Deviation 1: a value with a non-ASCII character never matched.
func TestNonASCIIValuesMatch(t *testing.T) {
	const quote = "All values are treated as case-insensitive strings."
	runConformance(t, quote, []conformanceCase{
		{"plain value with accents", field("requestParameters.key", "rapport-été.pdf"), true},
		{"plain value differs only in case", field("requestParameters.key", "RAPPORT-ÉTÉ.PDF"), true},
		{"contains, Japanese", field("requestParameters.bucketName|contains", "機密"), true},
		{"startswith, Japanese", field("requestParameters.bucketName|startswith", "経理-"), true},
		{"endswith, Japanese", field("requestParameters.description|endswith", "エクスポート"), true},
		{"wildcard inside Japanese", field("requestParameters.description", "顧客*エクスポート"), true},
		{"? is one character, not one byte", field("requestParameters.bucketName", "経理-機?データ"), true},
		{"a different Japanese word does not match", field("requestParameters.bucketName|contains", "人事"), false},
		{"keyword in Japanese", "detection:\n  keywords:\n    - '顧客名簿'\n  condition: keywords\n", true},
		{"keyword with accents, other case", "detection:\n  keywords:\n    - 'ÜNÏCODE-agent'\n  condition: keywords\n", true},
	})
}

// Deviation 2: a value ending in a backslash broke startswith and contains.
func TestTrailingBackslashIsPlain(t *testing.T) {
	const quote = "Plain backslash not followed by a wildcard can be expressed as single `\\` or double backslash `\\\\`."
	runConformance(t, quote, []conformanceCase{
		{"startswith a folder", field("Image|startswith", `C:\Windows\`), true},
		{"startswith a folder, doubled", field("Image|startswith", `C:\\Windows\\`), true},
		{"contains a folder", field("CommandLine|contains", `C:\Temp\`), true},
		{"endswith a file", field("Image|endswith", `\cmd.exe`), true},
		{"plain value, trailing backslash", field("ParentImage", `C:\Program Files\Vendor\`), false},
		{"plain value with * after a folder", field("ParentImage", `C:\Program Files\Vendor\*`), false}, // \* is a plain star
		{"\\\\* is a backslash then a wildcard", field("ParentImage", `C:\Program Files\Vendor\\*`), true},
		{"\\* is a plain star", field("CommandLine|contains", `\*.txt`), true},
		{"\\\\\\* is a backslash then a plain star", field("CommandLine|contains", `Temp\\\*.txt`), true},
		{"four backslashes are two", field("CommandLine|contains", `\\\\fs01`), true},
		{"three backslashes are two", field("CommandLine|contains", `\\\fs01`), true},
		{"a UNC start is not a single backslash", field("CommandLine|contains", ` \fs01`), false},
	})
}

// Deviation 3: "1 of them" and "all of them" counted identifiers starting
// with an underscore.
func TestThemLeavesOutUnderscoreIdentifiers(t *testing.T) {
	const quote = "Logical OR (`1 of them`) or AND (`all of them`) across all defined search identifiers not starting with an underscore `_`."
	runConformance(t, quote, []conformanceCase{
		{"all of them ignores a failing _identifier", `
detection:
  selection:
    Image|endswith: '\cmd.exe'
  _unused:
    Image: nothing-like-this
  condition: all of them`, true},
		{"1 of them ignores a matching _identifier", `
detection:
  selection:
    Image|endswith: '\powershell.exe'
  _helper:
    Image|endswith: '\cmd.exe'
  condition: 1 of them`, false},
		{"an _identifier can still be named", `
detection:
  _helper:
    Image|endswith: '\cmd.exe'
  condition: _helper`, true},
		{"a pattern still reaches it", `
detection:
  _helper:
    Image|endswith: '\cmd.exe'
  condition: 1 of _help*`, true},
	})
	_, err := Parse("detection:\n  _only:\n    Image: x\n  condition: 1 of them\n")
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Reason, "underscore") {
		t.Fatalf("them over nothing but _identifiers: %v", err)
	}
}

// Deviation 4: the keyword form '|all': [a, b] was read as a field named "".
func TestKeywordsWithAll(t *testing.T) {
	const quote = "To have a **and** operator , we use the `'|all':` modifier"
	runConformance(t, quote, []conformanceCase{
		{"both keywords present", `
detection:
  keywords_cmdlet:
    '|all':
      - 'OabVirtualDirectory'
      - ' -ExternalUrl '
  condition: keywords_cmdlet`, true},
		{"one keyword missing", `
detection:
  keywords_cmdlet:
    '|all':
      - 'OabVirtualDirectory'
      - 'Set-Mailbox'
  condition: keywords_cmdlet`, false},
		{"keywords across fields, Japanese", `
detection:
  keywords:
    '|all':
      - '機密'
      - 'rapport'
  condition: keywords`, true},
	})
}

// Deviation 5: "all" on one value, or on no value, was accepted.
func TestAllNeedsSeveralValues(t *testing.T) {
	const quote = "Single item values are not allowed to have an `all` modifier as some back-ends cannot support it."
	for name, rule := range map[string]string{
		"one value":             "detection:\n  s:\n    CommandLine|contains|all: copy\n  condition: s\n",
		"a list of one":         "detection:\n  s:\n    CommandLine|contains|all: [copy]\n  condition: s\n",
		"an empty list":         "detection:\n  s:\n    CommandLine|contains|all: []\n  condition: s\n",
		"one keyword":           "detection:\n  s:\n    '|all': copy\n  condition: s\n",
		"a list of one keyword": "detection:\n  s:\n    '|all': [copy]\n  condition: s\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(rule)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(e.Reason, "all modifier needs at least two values") {
				t.Fatalf("accepted or unclear: %v; the specification: %q", err, quote)
			}
		})
	}
	r, err := Parse("detection:\n  s:\n    CommandLine|contains|all: [copy, drop]\n  condition: s\n")
	if err != nil || !r.Matches(conformanceEvent) {
		t.Fatalf("all over two values: %v", err)
	}
}

// The specification's "Invalid Example": null in a list of values (the
// rules specification says so in words from v2.1.0 on).
func TestNullStandsAlone(t *testing.T) {
	const quote = "Also `null` cannot be part of a list of field values as it is its own type and therefore shares no type with any other value."
	_, err := Parse("detection:\n  selection_main:\n    FieldA: 'something'\n    FieldB:\n      - ''\n      - null\n  condition: selection_main\n")
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Reason, "null cannot be part of a list") {
		t.Fatalf("accepted or unclear: %v; the specification: %q", err, quote)
	}
	valid := `
detection:
  selection_main:
    FieldA: 'something'
  selection_empty1:
    FieldB: ''
  selection_empty2:
    FieldB: null
  condition: selection_main and 1 of selection_empty*
`
	r, err := Parse(valid)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		e    Event
		want bool
	}{
		{Event{"FieldA": "something", "FieldB": ""}, true},
		{Event{"FieldA": "something"}, true},
		{Event{"FieldA": "something", "FieldB": nil}, true},
		{Event{"FieldA": "something", "FieldB": "x"}, false},
	} {
		if got := r.Matches(tc.e); got != tc.want {
			t.Errorf("the specification's valid example on %v: %v, want %v", tc.e, got, tc.want)
		}
	}
}
