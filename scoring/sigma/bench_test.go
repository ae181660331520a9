package sigma

import (
	"fmt"
	"testing"
	"time"
)

// Failed logins, one a second for almost three hours, judged by
// a value_count over a day: every window is the whole log so far, which
// is what a sliding window must not copy.
func BenchmarkValueCountOverALongLog(b *testing.B) {
	var events []Event
	for i := range 10000 {
		events = append(events, at(time.Duration(i)*time.Second, Event{"EventID": 4625, "ComputerName": "dc01", "User": fmt.Sprint("u", i%500)}))
	}
	r, err := Parse(`
title: Password spray
correlation: {type: value_count, rules: [failed], group-by: [ComputerName], timespan: 1d, condition: {field: User, gte: 400}}
---
name: failed
detection: {s: {EventID: 4625}, condition: s}
`)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.Flags(events)
	}
}
