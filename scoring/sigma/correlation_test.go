package sigma

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The correlation rules specification's own examples, each with the
// detection rules it refers to, judged on streams built to sit just
// inside and just outside what each example describes.

var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// at is an event at t0 plus d, with CloudTrail's time field.
func at(d time.Duration, fields Event) Event {
	e := Event{"eventTime": t0.Add(d).Format(time.RFC3339)}
	for k, v := range fields {
		e[k] = v
	}
	return e
}

// flagged lists the indexes of the events the rule flags.
func flagged(t *testing.T, rule string, events []Event) []int {
	t.Helper()
	r, err := Parse(rule)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for i, f := range r.Flags(events) {
		if f {
			out = append(out, i)
		}
	}
	return out
}

func indexes(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

const failedLogin = `
---
title: Failed login
id: 5638f7c0-ac70-491d-8465-2a65075e0d86
logsource: {product: windows, service: security}
detection:
    selection:
        EventID: [529, 4625]
    condition: selection
`

// "More than or equal 100 failed login attempts to a destination host in
// an hour."
func TestSpecEventCount(t *testing.T) {
	const rule = `
title: Many failed logins
id: 0e95725d-7320-415d-80f7-004da920fc11
correlation:
    type: event_count
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
    timespan: 1h
    condition:
        gte: 100
` + failedLogin
	var events []Event
	for i := range 100 { // dc01: 100 in 59m24s
		events = append(events, at(time.Duration(i)*36*time.Second, Event{"EventID": 4625, "ComputerName": "dc01"}))
	}
	for i := range 99 { // dc02: 99, one short
		events = append(events, at(time.Duration(i)*time.Second, Event{"EventID": 4625, "ComputerName": "dc02"}))
	}
	for i := range 100 { // dc03: 100, over two hours
		events = append(events, at(time.Duration(i)*75*time.Second, Event{"EventID": 529, "ComputerName": "dc03"}))
	}
	events = append(events, at(time.Minute, Event{"EventID": 4624, "ComputerName": "dc01"})) // a success: not counted
	if got, want := flagged(t, rule, events), indexes(0, 100); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("flagged %v, want dc01's hundred failures %v", got, want)
	}
}

// "Failed logon attempts with more than 100 different user accounts per
// source and destination at a day."
func TestSpecValueCount(t *testing.T) {
	const rule = `
title: Failed login
id: 0e95725d-7320-415d-80f7-004da920fc12
correlation:
    type: value_count
    rules:
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - ComputerName
        - WorkstationName
    timespan: 1d
    condition:
        field: User
        gte: 100
` + failedLogin
	var events []Event
	for i := range 100 { // spraying: 100 accounts from ws1 to dc01 in a day
		events = append(events, at(time.Duration(i)*10*time.Minute, Event{"EventID": 4625, "ComputerName": "dc01", "WorkstationName": "ws1", "User": fmt.Sprintf("user%03d", i)}))
	}
	for i := range 100 { // a broken script: 100 failures of 50 accounts
		events = append(events, at(time.Duration(i)*time.Minute, Event{"EventID": 4625, "ComputerName": "dc01", "WorkstationName": "ws2", "User": fmt.Sprintf("svc%02d", i%50)}))
	}
	for i := range 100 { // 100 accounts, but from two workstations
		events = append(events, at(time.Duration(i)*time.Minute, Event{"EventID": 4625, "ComputerName": "dc02", "WorkstationName": fmt.Sprintf("ws%d", 3+i%2), "User": fmt.Sprintf("u%03d", i)}))
	}
	if got, want := flagged(t, rule, events), indexes(0, 100); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("flagged %v, want the spray %v", got, want)
	}
}

const reconRules = `
---
name: recon_cmd_a
title: whoami
detection: {selection: {Image|endswith: '\whoami.exe'}, condition: selection}
---
name: recon_cmd_b
title: net group
detection: {selection: {CommandLine|contains|all: [net, ' group']}, condition: selection}
---
name: recon_cmd_c
title: nltest
detection: {selection: {Image|endswith: '\nltest.exe'}, condition: selection}
`

func reconEvents(user string, start, step time.Duration) []Event {
	return []Event{
		at(start, Event{"ComputerName": "ws1", "User": user, "Image": `C:\Windows\System32\nltest.exe`, "CommandLine": "nltest /dclist:"}),
		at(start+step, Event{"ComputerName": "ws1", "User": user, "Image": `C:\Windows\System32\whoami.exe`, "CommandLine": "whoami /all"}),
		at(start+2*step, Event{"ComputerName": "ws1", "User": user, "Image": `C:\Windows\System32\net.exe`, "CommandLine": `net group "Domain Admins" /domain`}),
	}
}

// "Reconnaissance commands defined in three Sigma rules are invoked in
// arbitrary order within 5 minutes on a system by the same user."
func TestSpecTemporal(t *testing.T) {
	const rule = `
title: Recon
correlation:
    type: temporal
    rules:
        - recon_cmd_a
        - recon_cmd_b
        - recon_cmd_c
    group-by:
        - ComputerName
        - User
    timespan: 5m
` + reconRules
	var events []Event
	events = append(events, reconEvents("mallory", 0, 2*time.Minute)...)         // 0-2: all three in 4m
	events = append(events, reconEvents("admin", 0, 3*time.Minute)...)           // 3-5: over 6m
	events = append(events, reconEvents("alice", time.Hour, time.Minute)[:2]...) // 6-7: two of three
	events = append(events, reconEvents("bob", time.Hour, time.Minute)[2:]...)   // 8: the third, another user
	if got := flagged(t, rule, events); fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("flagged %v, want mallory's three commands", got)
	}
	// The condition counts the rules seen: two of the three is enough.
	two := strings.Replace(rule, "    timespan: 5m\n", "    timespan: 5m\n    condition:\n        gte: 2\n", 1)
	if got := flagged(t, two, events); fmt.Sprint(got) != "[0 1 2 3 4 5 6 7]" {
		t.Fatalf("with gte 2, flagged %v", got)
	}
}

// The specification's full example, "Failed Logins Followed by Successful
// Login", verbatim: a temporal_ordered correlation over a chained
// event_count and a detection rule.
const specBruteForce = `title: Correlation - Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
status: experimental
description: Detects multiple failed logins by a single user followed by a successful login of that user
references:
    - https://reference.com
author: Florian Roth (Nextron Systems)
date: 2023-06-16
correlation:
    type: temporal_ordered
    rules:
        - multiple_failed_login
        - successful_login
    group-by:
        - User
    timespan: 10m
falsepositives:
    - Unlikely
level: high
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
description: Detects multiple failed logins within a certain amount of time
name: multiple_failed_login
correlation:
    type: event_count
    rules:
        - failed_login
    group-by:
        - User
    timespan: 10m
    condition:
        gte: 10
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 529
            - 4625
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
description: Detects a successful login
name: successful_login
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID:
            - 528
            - 4624
    condition: selection
`

func TestSpecFailedLoginsFollowedBySuccess(t *testing.T) {
	login := func(d time.Duration, user string, id int) Event {
		return at(d, Event{"User": user, "EventID": id})
	}
	var events []Event
	for i := range 10 { // 0-9: ten failures of eve in 4m30s
		events = append(events, login(time.Duration(i)*30*time.Second, "eve", 4625))
	}
	events = append(events, login(5*time.Minute, "eve", 4624)) // 10: then her success
	for i := range 10 {                                        // 11-20: ten failures of bob
		events = append(events, login(time.Hour+time.Duration(i)*time.Second, "bob", 4625))
	}
	events = append(events, login(time.Hour-time.Minute, "bob", 4624)) // 21: bob's success came first
	for i := range 9 {                                                 // 22-30: nine failures of carol
		events = append(events, login(2*time.Hour+time.Duration(i)*time.Second, "carol", 529))
	}
	events = append(events, login(2*time.Hour+time.Minute, "carol", 528)) // 31: not enough before it
	for i := range 10 {                                                   // 32-41: dan's failures
		events = append(events, login(3*time.Hour+time.Duration(i)*time.Second, "dan", 4625))
	}
	events = append(events, login(3*time.Hour+20*time.Minute, "dan", 4624)) // 42: success too late
	if got := flagged(t, specBruteForce, events); fmt.Sprint(got) != fmt.Sprint(indexes(0, 11)) {
		t.Fatalf("flagged %v, want eve's failures and success %v", got, indexes(0, 11))
	}
	r, _ := Parse(specBruteForce)
	if r.Title != "Correlation - Multiple Failed Logins Followed by Successful Login" {
		t.Fatalf("the rule graded is %q, not the one nothing refers to", r.Title)
	}
}

// The specification's field name aliases example: an internal error and a
// new connection between the same two addresses, each logged from its
// own side, within ten seconds.
func TestSpecAliases(t *testing.T) {
	const rule = `
title: —
id: —
correlation:
    type: temporal
    rules:
        - internal_error
        - new_network_connection
    group-by:
        - internal_ip
        - remote_ip
    timespan: 10s
    aliases:
        internal_ip:
            internal_error: destination.ip
            new_network_connection: source.ip
        remote_ip:
            internal_error: source.ip
            new_network_connection: destination.ip
---
name: internal_error
detection:
    selection:
        http.response.status_code: 500
    condition: selection
---
name: new_network_connection
detection:
    selection:
        event.category: network
        event.type: connection
        event.outcome: success
    condition: selection
`
	httpErr := func(d time.Duration, src, dst string) Event {
		return Event{"@timestamp": t0.Add(d).Format(time.RFC3339Nano), "http": map[string]any{"response": map[string]any{"status_code": float64(500)}},
			"source": map[string]any{"ip": src}, "destination": map[string]any{"ip": dst}}
	}
	conn := func(d time.Duration, src, dst string) Event {
		return Event{"@timestamp": t0.Add(d).Format(time.RFC3339Nano), "event": map[string]any{"category": "network", "type": "connection", "outcome": "success"},
			"source": map[string]any{"ip": src}, "destination": map[string]any{"ip": dst}}
	}
	events := []Event{
		httpErr(0, "203.0.113.5", "10.0.0.8"), conn(4*time.Second, "10.0.0.8", "203.0.113.5"), // 0-1: the pair
		httpErr(time.Minute, "203.0.113.6", "10.0.0.8"), conn(time.Minute+time.Second, "10.0.0.8", "203.0.113.7"), // another remote
		httpErr(2*time.Minute, "203.0.113.5", "10.0.0.8"), conn(2*time.Minute+11*time.Second, "10.0.0.8", "203.0.113.5"), // 11s apart
		httpErr(3*time.Minute, "203.0.113.5", "10.0.0.8"), conn(3*time.Minute, "203.0.113.5", "10.0.0.8"), // same fields, not aliased
	}
	if got := flagged(t, rule, events); fmt.Sprint(got) != "[0 1]" {
		t.Fatalf("flagged %v, want the error and the connection back to its client", got)
	}
}

// Every schema example of the specification is read as valid.
func TestSpecSchemaExamplesParse(t *testing.T) {
	base := "\n---\nid: 5638f7c0-ac70-491d-8465-2a65075e0d86\ndetection: {s: {EventID: 4625}, condition: s}\n"
	for name, rule := range map[string]string{
		"event_count_ecs":  "title: Many failed logins\nid: 0e95725d-7320-415d-80f7-004da920fc11\ntaxonomy: ecs\ncorrelation:\n    type: event_count\n    rules:\n        - 5638f7c0-ac70-491d-8465-2a65075e0d86\n    group-by:\n        - dns.question.name\n    timespan: 1h\n    condition:\n        gte: 100" + base,
		"temporal_ordered": "title: Recon ordered\ncorrelation:\n    type: temporal_ordered\n    rules:\n        - recon_cmd_a\n        - recon_cmd_b\n        - recon_cmd_c\n    group-by:\n        - ComputerName\n        - User\n    timespan: 5m" + reconRules,
	} {
		if _, err := Parse(rule); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTemporalOrderedKeepsTheOrder(t *testing.T) {
	rule := `
title: Recon ordered
correlation:
    type: temporal_ordered
    rules: [recon_cmd_c, recon_cmd_a, recon_cmd_b]
    group-by: [User]
    timespan: 5m
` + reconRules
	inOrder := reconEvents("mallory", 0, time.Minute) // c, a, b: the listed order
	if got := flagged(t, rule, inOrder); fmt.Sprint(got) != "[0 1 2]" {
		t.Fatalf("in order: flagged %v", got)
	}
	outOfOrder := []Event{inOrder[1], inOrder[0], inOrder[2]}
	outOfOrder[0]["eventTime"], outOfOrder[1]["eventTime"] = outOfOrder[1]["eventTime"], outOfOrder[0]["eventTime"]
	if got := flagged(t, rule, outOfOrder); len(got) != 0 {
		t.Fatalf("out of order: flagged %v", got)
	}
}

// Event time: the configured field, then the fallbacks.
func TestEventTimes(t *testing.T) {
	const rule = `
title: Burst
correlation: {type: event_count, rules: [get], group-by: [], timespan: 1m, condition: {gte: 3}}
---
name: get
detection: {s: {eventName: GetObject}, condition: s}
`
	get := func(fields Event) Event {
		e := Event{"eventName": "GetObject"}
		for k, v := range fields {
			e[k] = v
		}
		return e
	}
	spread := []Event{get(Event{"ts": float64(t0.Unix())}), get(Event{"ts": float64(t0.Unix() + 40)}), get(Event{"ts": float64(t0.UnixMilli() + 80_000)})}
	r, err := Parse(rule)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Flags(spread); !got[0] || !got[1] || !got[2] {
		t.Fatalf("with no time readable (ts is not a default), the events are one episode: %v", got)
	}
	r.TimeFields = []string{"ts"} // epoch seconds, and milliseconds, 80s across
	if got := r.Flags(spread); got[0] || got[1] || got[2] {
		t.Fatalf("three events over 80s met a 1m burst: %v", got)
	}
	untimed := []Event{get(nil), get(nil), get(nil)}
	if got := r.Flags(untimed); !got[0] || !got[1] || !got[2] {
		t.Fatalf("events with no time at all are one episode: %v", got)
	}
	// Without a time an event goes with the one before it.
	mixed := []Event{get(Event{"ts": float64(t0.Unix())}), get(nil), get(Event{"ts": float64(t0.Unix() + 3600)}), get(nil)}
	if got := r.Flags(mixed); got[0] || got[1] || got[2] || got[3] {
		t.Fatalf("untimed events joined a burst they were not in: %v", got)
	}
	mixed = append(mixed, get(nil))
	if got := r.Flags(mixed); got[0] || got[1] || !got[2] || !got[3] || !got[4] {
		t.Fatalf("untimed events after a timed one: %v", got)
	}
}

func TestRefusedCorrelations(t *testing.T) {
	base := "\n---\nname: base\ndetection: {s: {eventName: GetObject}, condition: s}\n"
	other := "\n---\nname: other\ndetection: {s: {eventName: PutObject}, condition: s}\n"
	corr := func(body string) string { return "title: c\ncorrelation:\n" + body }
	cases := map[string]struct{ rule, reason string }{
		"value_sum":         {corr("  type: value_sum\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {field: b, gt: 1}") + base, "not graded here"},
		"no type":           {corr("  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {gt: 1}") + base, "type is mandatory"},
		"unknown type":      {corr("  type: near\n  rules: [base]\n  group-by: [a]\n  timespan: 1h") + base, "not a correlation type"},
		"no group-by":       {corr("  type: event_count\n  rules: [base]\n  timespan: 1h\n  condition: {gt: 1}") + base, "group-by is mandatory"},
		"no timespan":       {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  condition: {gt: 1}") + base, "timespan is mandatory"},
		"bad timespan":      {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1H\n  condition: {gt: 1}") + base, "number followed by s, m, h or d"},
		"a week":            {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1w\n  condition: {gt: 1}") + base, "number followed by s, m, h or d"},
		"no condition":      {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h") + base, "condition is mandatory"},
		"no field":          {corr("  type: value_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {gt: 1}") + base, "needs field"},
		"field on count":    {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {field: x, gt: 1}") + base, "field is for value_count"},
		"no comparison":     {corr("  type: value_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {field: x}") + base, "needs a comparison"},
		"not a number":      {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {gt: many}") + base, "whole number"},
		"unknown operator":  {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {over: 1}") + base, "not a condition"},
		"unknown key":       {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  timeframe: 1h\n  condition: {gt: 1}") + base, "not a key"},
		"missing rule":      {corr("  type: event_count\n  rules: [elsewhere]\n  group-by: [a]\n  timespan: 1h\n  condition: {gt: 1}") + base, "not in the submission"},
		"alone":             {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {gt: 1}"), "not in the submission"},
		"two roots":         {corr("  type: event_count\n  rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {gt: 1}") + base + other, "not referred to"},
		"two rules":         {"detection: {s: {eventName: x}, condition: s}" + base, "not referred to"},
		"listed twice":      {corr("  type: temporal\n  rules: [base, base]\n  group-by: [a]\n  timespan: 1h") + base, "listed twice"},
		"ordered condition": {corr("  type: temporal_ordered\n  rules: [base, other]\n  group-by: [a]\n  timespan: 1h\n  condition: {gte: 1}") + base + other, "not graded here"},
		"alias to nothing":  {corr("  type: temporal\n  rules: [base, other]\n  group-by: [ip]\n  timespan: 1h\n  aliases: {ip: {base: a, third: b}}") + base + other, "does not refer to"},
		"alias incomplete":  {corr("  type: temporal\n  rules: [base, other]\n  group-by: [ip]\n  timespan: 1h\n  aliases: {ip: {base: a}}") + base + other, "names no field"},
		"cycle":             {"title: c\nname: c\ncorrelation: {type: event_count, rules: [d], group-by: [], timespan: 1h, condition: {gt: 1}}\n---\nname: d\ncorrelation: {type: event_count, rules: [c], group-by: [], timespan: 1h, condition: {gt: 1}}\n", "cycle"},
		"both sections":     {"title: x\ndetection: {s: {a: b}, condition: s}\ncorrelation: {type: temporal}\n" + base, "both"},
		"same name":         {corr("  type: temporal\n  rules: [base]\n  group-by: []\n  timespan: 1h") + base + base, "unique"},
		"old aggregation":   {"detection:\n  s: {eventName: GetObject}\n  condition: s | count() by sourceIPAddress > 5\n", "correlation rule"},
		"old timeframe":     {"detection:\n  s: {eventName: GetObject}\n  timeframe: 5m\n  condition: s\n", "timespan"},
		"bad base rule":     {corr("  type: temporal\n  rules: [b]\n  group-by: []\n  timespan: 1h") + "\n---\nname: b\ndetection: {s: {x|base64: y}, condition: s}\n", `rule "b": selection s: field x: the base64 modifier`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.rule)
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("accepted or unclear: %v (want %q)", err, tc.reason)
			}
		})
	}
}
