package scoring

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/sakimori/sakimori/scoring/sigma"
)

// validateDetection checks a detection objective's graded events and, when
// it reads the lab's log, the author's truth rule, so a detection that no
// rule could pass is refused when the scenario loads rather than found out
// by a trainee.
//
// The listed events: each is a non-empty map of fields (an empty one can
// never be matched), and no event is listed as both malicious and benign
// (no rule could match it and miss it at once).
//
// The truth rule must parse, and must itself pass the objective on the
// listed events: match every malicious event and no benign one. It picks
// the attack out of the lab's log; if it disagreed with the author's own
// examples of that attack, a trainee's rule could not agree with both.
func validateDetection(path string, o Objective, in Setting, p *problems) {
	if len(o.Malicious) == 0 || len(o.Benign) == 0 {
		p.add(path, "a detection objective lists malicious_events and benign_events to grade rules on")
	}
	for i, ev := range o.Malicious {
		if len(ev) == 0 {
			p.add(fmt.Sprintf("%s.malicious_events[%d]", path, i), "is empty: an event is a map of fields, like {eventName: GetObject}")
		}
	}
	for i, ev := range o.Benign {
		if len(ev) == 0 {
			p.add(fmt.Sprintf("%s.benign_events[%d]", path, i), "is empty: an event is a map of fields, like {eventName: GetObject}")
		}
		for j, m := range o.Malicious {
			if len(ev) > 0 && reflect.DeepEqual(ev, m) {
				p.add(fmt.Sprintf("%s.benign_events[%d]", path, i), "is also malicious_events[%d]: no rule can both match it and miss it", j)
			}
		}
	}
	for i, ev := range o.Malicious {
		unknownValues(fmt.Sprintf("%s.malicious_events[%d]", path, i), ev, in, p)
	}
	for i, ev := range o.Benign {
		unknownValues(fmt.Sprintf("%s.benign_events[%d]", path, i), ev, in, p)
	}
	l := o.Live
	if l == nil {
		return
	}
	switch {
	case !in.Hosts[l.Host] || len(l.Command) == 0:
		p.add(path+".live_events", "names a host of this scenario and a command that prints the log")
	case strings.TrimSpace(l.Truth) == "":
		p.add(path+".live_events.truth", "is the Sigma rule that picks the attack out of the log")
	default:
		validateTruth(path+".live_events.truth", o, p)
	}
}

// validateTruth holds the truth rule to the objective's own events.
func validateTruth(path string, o Objective, p *problems) {
	truth, err := sigma.Parse(o.Live.Truth)
	if err != nil {
		var se *sigma.Error
		if errors.As(err, &se) {
			p.add(path, "is not a Sigma rule the range can grade: %s", se.Reason)
		} else {
			p.add(path, "is not a Sigma rule the range can grade: %v", err)
		}
		return
	}
	var missed []string
	for i, ev := range o.Malicious {
		if !truth.Matches(ev) {
			missed = append(missed, fmt.Sprintf("malicious_events[%d]", i))
		}
	}
	switch {
	case len(o.Malicious) > 0 && len(missed) == len(o.Malicious):
		p.add(path, "matches none of the scenario's attack events (malicious_events)")
	case len(missed) > 0:
		p.add(path, "misses %s: it must match every attack event listed", strings.Join(missed, ", "))
	}
	for i, ev := range o.Benign {
		if truth.Matches(ev) {
			p.add(path, "matches benign_events[%d]: it must match none of them", i)
		}
	}
}

// unknownValues reports each ${var.NAME} in an event that names no
// variable of the scenario: it would be graded as written.
func unknownValues(path string, v any, in Setting, p *problems) {
	switch v := v.(type) {
	case string:
		for _, m := range labValue.FindAllStringSubmatch(v, -1) {
			if !in.Variables[m[1]] {
				p.add(path, "uses ${var.%s}, which is not declared in variables", m[1])
			}
		}
	case map[string]any:
		for _, x := range v {
			unknownValues(path, x, in, p)
		}
	case []any:
		for _, x := range v {
			unknownValues(path, x, in, p)
		}
	}
}
