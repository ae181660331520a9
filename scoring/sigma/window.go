package sigma

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// How a correlation is judged on a stream of events, in the range's
// words:
//
//   - Each rule it refers to yields hits: a detection rule, one per event
//     it matches; a correlation, one per window that meets its condition.
//     A hit happens at the time of its last event.
//   - Hits are grouped by the values of the group-by fields (through the
//     aliases, per rule) read from the hit's last event; a hit without
//     one of those fields is in no group, as in a SIEM's "by" clause.
//   - As each hit arrives, its window is the group's hits from one
//     timespan before it up to it, both ends included; the correlation
//     fires when that window meets the condition, as a streaming engine
//     judges it at the moment each event comes in.
//   - event_count counts the window's hits; value_count counts the
//     distinct values of its field(s) among them (hits without the fields
//     do not count, and are not flagged); temporal counts the distinct
//     rules seen, and without a condition needs all of them;
//     temporal_ordered needs all of them, in the order listed, and flags
//     from the first rule's hit on.
//   - A firing window is a hit of the correlation; the events flagged are
//     the events of its hits. So a brute force of twelve failed logins
//     against a threshold of ten flags all twelve, and a chained
//     correlation flags the events underneath the inner ones too.

// hit is one occurrence of a rule in a stream.
type hit struct {
	events []int // the events it is made of, ascending
	last   int   // the event that completed it: its time and group
}

// corpus is a stream being judged, with each rule's hits kept so a rule
// referred to twice is judged once.
type corpus struct {
	events []Event
	fields []string
	times  []time.Time
	memo   map[member][]hit
}

func newCorpus(events []Event, timeFields []string) *corpus {
	return &corpus{events: events, fields: timeFields, memo: map[member][]hit{}}
}

func (c *corpus) hitsOf(m member) []hit {
	if h, ok := c.memo[m]; ok {
		return h
	}
	h := m.hits(c)
	c.memo[m] = h
	return h
}

func (c *corpus) at(i int) time.Time {
	if c.times == nil {
		c.times = eventTimes(c.events, c.fields)
	}
	return c.times[i]
}

// sourced is a hit with the index of the rule it came from.
type sourced struct {
	hit
	rule int
}

func (cr *correlation) hits(c *corpus) []hit {
	groups := map[string][]sourced{}
	for k, m := range cr.members {
		for _, h := range c.hitsOf(m) {
			if key, ok := cr.groupKey(c, k, h); ok {
				groups[key] = append(groups[key], sourced{h, k})
			}
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []hit
	for _, key := range keys {
		g := groups[key]
		sort.SliceStable(g, func(a, b int) bool {
			ta, tb := c.at(g[a].last), c.at(g[b].last)
			if !ta.Equal(tb) {
				return ta.Before(tb)
			}
			return g[a].last < g[b].last
		})
		start := 0
		for end := range g {
			for c.at(g[end].last).Sub(c.at(g[start].last)) > cr.span {
				start++
			}
			if flagged, ok := cr.judge(c, g[start:end+1]); ok {
				out = append(out, merge(flagged, g[end].last))
			}
		}
	}
	return out
}

// groupKey is the hit's values of the group-by fields, as one key.
func (cr *correlation) groupKey(c *corpus, rule int, h hit) (string, bool) {
	var b strings.Builder
	for g := range cr.groupBy {
		v, ok := lookup(c.events[h.last], splitPath(cr.fields[g][rule]))
		if !ok || v == nil {
			return "", false
		}
		b.WriteString(strconv.Quote(strings.Join(textsOf(v), "\x00")))
		b.WriteByte(' ')
	}
	return b.String(), true
}

// judge says whether a window meets the correlation, and which of its
// hits to flag when it does.
func (cr *correlation) judge(c *corpus, window []sourced) ([]sourced, bool) {
	switch cr.kind {
	case "event_count":
		return window, cr.meets(int64(len(window)))
	case "value_count":
		var counted []sourced
		distinct := map[string]bool{}
		for _, s := range window {
			if v, ok := cr.values(c, s.last); ok {
				counted = append(counted, s)
				distinct[v] = true
			}
		}
		return counted, len(counted) > 0 && cr.meets(int64(len(distinct)))
	case "temporal":
		seen := map[int]bool{}
		for _, s := range window {
			seen[s.rule] = true
		}
		if len(cr.criteria) == 0 {
			return window, len(seen) == len(cr.members)
		}
		return window, cr.meets(int64(len(seen)))
	}
	// temporal_ordered: the rules as a subsequence of the window, in time
	// order, the earliest occurrence of each next rule taken; what came
	// before the first rule is not part of it.
	next, first := 0, 0
	for i, s := range window {
		if next < len(cr.members) && s.rule == next {
			if next == 0 {
				first = i
			}
			next++
		}
	}
	return window[first:], next == len(cr.members)
}

func (cr *correlation) meets(n int64) bool {
	for _, c := range cr.criteria {
		if !c.holds(n) {
			return false
		}
	}
	return true
}

// values is an event's value_count fields as one key; when several
// fields are listed they count together, as the specification links them
// with AND.
func (cr *correlation) values(c *corpus, event int) (string, bool) {
	var b strings.Builder
	for _, path := range cr.valueOf {
		v, ok := lookup(c.events[event], path)
		if !ok || v == nil {
			return "", false
		}
		b.WriteString(strconv.Quote(strings.Join(textsOf(v), "\x00")))
		b.WriteByte(' ')
	}
	return b.String(), true
}

// merge makes one hit of a firing window's hits.
func merge(window []sourced, last int) hit {
	seen := map[int]bool{}
	var events []int
	for _, s := range window {
		for _, e := range s.events {
			if !seen[e] {
				seen[e] = true
				events = append(events, e)
			}
		}
	}
	sort.Ints(events)
	return hit{events: events, last: last}
}
