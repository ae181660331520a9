package sigma

import (
	"slices"
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
//     the events of the hits of the firing windows of the rule graded,
//     down to the events. So a brute force of twelve failed logins
//     against a threshold of ten flags all twelve, and a chained
//     correlation flags the events underneath the inner ones too.
//
// Windows are kept as ranges of their group's hits, never copied, so a
// long log judged against a long timespan stays linear in its size.

// hit is one occurrence of a rule in a stream.
type hit struct {
	last     int    // the event that completed it: its time and group
	event    int    // a detection rule's hit: its event; else -1
	group    *group // a correlation's hit: its group, and
	from, to int    // the hits of the group it flags, from..to
}

// group is one group of a correlation's hits, in time order.
type group struct {
	hits    []sourced
	flagged []span // the ranges of hits to flag, from the hits above it
}

type span struct{ from, to int }

// sourced is a hit in a group, with the index of the rule it came from
// and, for value_count, its value.
type sourced struct {
	*hit
	rule   int
	value  string
	counts bool // value_count: it has the field(s)
}

// corpus is a stream being judged, with each rule's hits kept so a rule
// referred to twice is judged once.
type corpus struct {
	events []Event
	fields []string
	times  []time.Time
	memo   map[member][]*hit
	groups map[*correlation][]*group
}

func newCorpus(events []Event, timeFields []string) *corpus {
	return &corpus{events: events, fields: timeFields, memo: map[member][]*hit{}, groups: map[*correlation][]*group{}}
}

func (c *corpus) hitsOf(m member) []*hit {
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

// flag marks the events of the root's hits: each correlation, parents
// before the rules they refer to, passes its flagged ranges down.
func (c *corpus) flag(root member) []bool {
	out := make([]bool, len(c.events))
	mark := func(h *hit) {
		if h.event >= 0 {
			out[h.event] = true
		} else {
			h.group.flagged = append(h.group.flagged, span{h.from, h.to})
		}
	}
	for _, h := range c.hitsOf(root) {
		mark(h)
	}
	for _, cr := range parentsFirst(root) {
		for _, g := range c.groups[cr] {
			for _, s := range union(g.flagged) {
				for i := s.from; i <= s.to; i++ {
					if cr.kind != "value_count" || g.hits[i].counts {
						mark(g.hits[i].hit)
					}
				}
			}
		}
	}
	return out
}

// parentsFirst orders the correlations under root so each comes before
// every rule it refers to.
func parentsFirst(root member) []*correlation {
	var post []*correlation
	seen := map[member]bool{}
	var visit func(m member)
	visit = func(m member) {
		if seen[m] {
			return
		}
		seen[m] = true
		if cr, ok := m.(*correlation); ok {
			for _, sub := range cr.members {
				visit(sub)
			}
			post = append(post, cr)
		}
	}
	visit(root)
	slices.Reverse(post)
	return post
}

// union merges ranges into disjoint ones.
func union(spans []span) []span {
	sort.Slice(spans, func(a, b int) bool { return spans[a].from < spans[b].from })
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.from <= out[n-1].to+1 {
			out[n-1].to = max(out[n-1].to, s.to)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func (cr *correlation) hits(c *corpus) []*hit {
	byKey := map[string]*group{}
	for k, m := range cr.members {
		for _, h := range c.hitsOf(m) {
			key, ok := cr.groupKey(c, k, h)
			if !ok {
				continue
			}
			g := byKey[key]
			if g == nil {
				g = &group{}
				byKey[key] = g
			}
			s := sourced{hit: h, rule: k}
			if cr.kind == "value_count" {
				s.value, s.counts = cr.values(c, h.last)
			}
			g.hits = append(g.hits, s)
		}
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []*hit
	for _, key := range keys {
		g := byKey[key]
		c.groups[cr] = append(c.groups[cr], g)
		sort.SliceStable(g.hits, func(a, b int) bool {
			ta, tb := c.at(g.hits[a].last), c.at(g.hits[b].last)
			if !ta.Equal(tb) {
				return ta.Before(tb)
			}
			return g.hits[a].last < g.hits[b].last
		})
		out = append(out, cr.slide(c, g)...)
	}
	return out
}

// slide moves the window along a group, keeping its counts as hits come
// in and fall out, and returns a hit for each window that fires.
func (cr *correlation) slide(c *corpus, g *group) []*hit {
	var out []*hit
	values := map[string]int{} // value_count: hits per distinct value
	counted := 0               // value_count: hits with the field(s)
	rules := make([]int, len(cr.members))
	seen := 0 // temporal: distinct rules in the window
	add := func(s sourced, d int) {
		if s.counts {
			counted += d
			values[s.value] += d
			if values[s.value] == 0 {
				delete(values, s.value)
			}
		}
		rules[s.rule] += d
		if d > 0 && rules[s.rule] == 1 {
			seen++
		} else if d < 0 && rules[s.rule] == 0 {
			seen--
		}
	}
	start := 0
	for end, s := range g.hits {
		add(s, 1)
		for c.at(s.last).Sub(c.at(g.hits[start].last)) > cr.span {
			add(g.hits[start], -1)
			start++
		}
		from, fires := start, false
		switch cr.kind {
		case "event_count":
			fires = cr.meets(int64(end - start + 1))
		case "value_count":
			fires = counted > 0 && cr.meets(int64(len(values)))
		case "temporal":
			if len(cr.criteria) == 0 {
				fires = seen == len(cr.members)
			} else {
				fires = cr.meets(int64(seen))
			}
		case "temporal_ordered":
			from, fires = cr.inOrder(g.hits[start:end+1], start)
		}
		if fires {
			out = append(out, &hit{last: s.last, event: -1, group: g, from: from, to: end})
		}
	}
	return out
}

// inOrder finds the rules as a subsequence of the window, in time order,
// the earliest occurrence of each next rule taken; what came before the
// first rule's hit is not part of it.
func (cr *correlation) inOrder(window []sourced, offset int) (int, bool) {
	next, first := 0, 0
	for i, s := range window {
		if next < len(cr.members) && s.rule == next {
			if next == 0 {
				first = i
			}
			next++
		}
	}
	return offset + first, next == len(cr.members)
}

// groupKey is the hit's values of the group-by fields, as one key.
func (cr *correlation) groupKey(c *corpus, rule int, h *hit) (string, bool) {
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
