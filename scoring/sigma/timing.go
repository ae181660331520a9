package sigma

import (
	"strings"
	"time"
)

// DefaultTimeFields are where an event's time is looked for: CloudTrail's
// eventTime, then the names other logs use.
var DefaultTimeFields = []string{"eventTime", "@timestamp", "timestamp", "time"}

// eventTimes reads each event's time from the first of fields it has. An
// event with no readable time is taken to happen with the event before
// it (logs are read in order); those before any timed event, with the
// first timed one; and if no event has a time, all happen at once, so a
// scenario's hand-written events form one short episode.
func eventTimes(events []Event, fields []string) []time.Time {
	times := make([]time.Time, len(events))
	known := make([]bool, len(events))
	first := -1
	for i, e := range events {
		times[i], known[i] = eventTime(e, fields)
		if known[i] && first < 0 {
			first = i
		}
	}
	if first < 0 {
		return times
	}
	for i := range times {
		switch {
		case known[i]:
		case i < first:
			times[i] = times[first]
		default:
			times[i] = times[i-1]
		}
	}
	return times
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"}

func eventTime(e Event, fields []string) (time.Time, bool) {
	for _, f := range fields {
		v, ok := lookup(e, splitPath(f))
		if !ok {
			continue
		}
		switch x := v.(type) {
		case time.Time:
			return x, true
		case string:
			for _, layout := range timeLayouts {
				if t, err := time.Parse(layout, strings.TrimSpace(x)); err == nil {
					return t, true
				}
			}
		case float64:
			return epoch(x), true
		case int:
			return epoch(float64(x)), true
		case int64:
			return epoch(float64(x)), true
		}
	}
	return time.Time{}, false
}

// epoch reads seconds since 1970, or milliseconds when the number is too
// large to be seconds (after the year 33658).
func epoch(x float64) time.Time {
	if x > 1e12 {
		return time.UnixMilli(int64(x)).UTC()
	}
	sec := int64(x)
	return time.Unix(sec, int64((x-float64(sec))*1e9)).UTC()
}

func splitPath(field string) []string { return strings.Split(field, ".") }
