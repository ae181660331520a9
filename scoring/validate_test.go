package scoring_test

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/scoring"
)

// detection is a sound detection objective each case below breaks one
// way: the truth rule picks out the outside use of a role, as the built-in
// scenarios' rules do.
const detection = `
- id: detect
  track: defence
  kind: detection
  points: 100
  live_events:
    host: cloud
    command: [sakimori-sim, trail]
    truth: |
      detection:
        role:
          userIdentity.type: AssumedRole
        inside:
          sourceIPAddress: 10.0.1.15
        condition: role and not inside
  malicious_events:
    - {eventName: GetObject, sourceIPAddress: 198.51.100.23, userIdentity: {type: AssumedRole}}
    - {eventName: ListBuckets, sourceIPAddress: 192.0.2.44, userIdentity: {type: AssumedRole}}
  benign_events:
    - {eventName: GetObject, sourceIPAddress: 10.0.1.15, userIdentity: {type: AssumedRole}}
    - {eventName: DescribeInstances, sourceIPAddress: 203.0.113.50, userIdentity: {type: IAMUser}}
`

var setting = scoring.Setting{Hosts: map[string]bool{"cloud": true, "box": true}, FlagVariables: map[string]bool{"flag": true}, Variables: map[string]bool{"flag": true, "key": true}}

func objectivesFrom(t *testing.T, text string) []scoring.Objective {
	t.Helper()
	var objectives []scoring.Objective
	if err := yaml.Unmarshal([]byte(text), &objectives); err != nil {
		t.Fatal(err)
	}
	return objectives
}

func TestSoundDetectionIsValid(t *testing.T) {
	if problems := scoring.ValidateObjectives(objectivesFrom(t, detection), nil, setting); len(problems) > 0 {
		t.Fatalf("refused: %v", problems)
	}
}

// TestDetectionsNoRuleCouldPassAreRefused: each detection that could not
// be graded fairly is refused at load, at the path of the field at fault.
func TestDetectionsNoRuleCouldPassAreRefused(t *testing.T) {
	const truth = "objectives[0].live_events.truth"
	rule := func(condition string) func(*scoring.Objective) {
		return func(o *scoring.Objective) {
			o.Live.Truth = strings.Replace(o.Live.Truth, "condition: role and not inside", condition, 1)
		}
	}
	cases := []struct {
		name          string
		breakIt       func(*scoring.Objective)
		path, message string
	}{
		{"truth is not YAML", rule("condition: [role"), truth, "not valid YAML"},
		{"truth has no condition", rule(""), truth, "no condition"},
		{"truth uses what grading refuses", rule("condition: role | count() > 5"), truth, "is not a Sigma rule the range can grade"},
		{"truth misses every attack event", rule("condition: inside"), truth, "matches none of the scenario's attack events"},
		{"truth misses one attack event", rule("condition: role and not inside and not list\n  list:\n    eventName: ListBuckets"), truth, "misses malicious_events[1]"},
		{"truth matches a benign event", rule("condition: role"), truth, "matches benign_events[0]"},
		{"truth left empty", func(o *scoring.Objective) { o.Live.Truth = " " }, truth, "picks the attack"},
		{"log host unknown", func(o *scoring.Objective) { o.Live.Host = "nowhere" }, "objectives[0].live_events", "names a host"},
		{"no log command", func(o *scoring.Objective) { o.Live.Command = nil }, "objectives[0].live_events", "a command"},
		{"empty attack event", func(o *scoring.Objective) { o.Malicious[0] = map[string]any{} }, "objectives[0].malicious_events[0]", "is empty"},
		{"empty benign event", func(o *scoring.Objective) { o.Benign[1] = nil }, "objectives[0].benign_events[1]", "is empty"},
		{"event both attack and benign", func(o *scoring.Objective) { o.Benign[1] = o.Malicious[1] }, "objectives[0].benign_events[1]", "is also malicious_events[1]"},
		{"no benign events", func(o *scoring.Objective) { o.Benign = nil }, "objectives[0]", "malicious_events and benign_events"},
		{"no attack events", func(o *scoring.Objective) { o.Malicious = nil }, "objectives[0]", "malicious_events and benign_events"},
		{"event names an undeclared variable", func(o *scoring.Objective) {
			o.Benign[0]["userIdentity"] = map[string]any{"accessKeyId": "${var.nokey}"}
		}, "objectives[0].benign_events[0]", "${var.nokey}, which is not declared"},
		{"log on another kind", func(o *scoring.Objective) { o.Kind = scoring.KindQuestion; o.Answers = []string{"x"} }, "objectives[0].live_events", "only detection"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objectives := objectivesFrom(t, detection)
			tc.breakIt(&objectives[0])
			problems := scoring.ValidateObjectives(objectives, nil, setting)
			for _, p := range problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Fatalf("no problem at %q mentioning %q; got %v", tc.path, tc.message, problems)
		})
	}
}
