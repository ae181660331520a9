package idp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// logQuery is a System Log API query: Okta's since, until, filter (eq
// clauses joined by and), q (keywords), sortOrder, limit and after.
type logQuery struct {
	since, until string // in published's format, so they compare as text
	filter       [][2]string
	keywords     []string
	descending   bool
	limit, after int
}

var clause = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z.]*)\s+eq\s+"([^"]*)"\s*(?:(?i:and)\s+|$)`)

func parseLogQuery(q map[string][]string) (logQuery, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	lq := logQuery{limit: 100, descending: get("sortOrder") == "DESCENDING"}
	for _, p := range []struct {
		name string
		into *string
	}{{"since", &lq.since}, {"until", &lq.until}} {
		if v := get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return lq, fmt.Errorf("%s: not an RFC 3339 time", p.name)
			}
			*p.into = t.UTC().Format("2006-01-02T15:04:05.000Z")
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return lq, fmt.Errorf("limit: not a positive number")
		}
		lq.limit = min(n, 1000)
	}
	lq.after, _ = strconv.Atoi(get("after"))
	for rest := get("filter"); strings.TrimSpace(rest) != ""; {
		m := clause.FindStringSubmatch(rest)
		if m == nil {
			return lq, fmt.Errorf("filter: only field eq \"value\" clauses joined by and")
		}
		lq.filter = append(lq.filter, [2]string{m[1], m[2]})
		rest = rest[len(m[0]):]
	}
	for _, k := range strings.Fields(get("q")) {
		lq.keywords = append(lq.keywords, strings.ToLower(k))
	}
	return lq, nil
}

func (lq logQuery) matches(e Event) bool {
	if (lq.since != "" && e.Published < lq.since) || (lq.until != "" && e.Published >= lq.until) {
		return false
	}
	if len(lq.filter) == 0 && len(lq.keywords) == 0 {
		return true
	}
	raw, _ := json.Marshal(e)
	lower := bytes.ToLower(raw)
	for _, k := range lq.keywords {
		if !bytes.Contains(lower, []byte(k)) {
			return false
		}
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	for _, f := range lq.filter {
		if fmt.Sprint(field(m, f[0])) != f[1] {
			return false
		}
	}
	return true
}

// field reads a dotted path (actor.alternateId) of an event.
func field(m map[string]any, path string) any {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = obj[k]
	}
	return cur
}

// serveLogs is GET /api/v1/logs: a JSON array, oldest first unless asked
// otherwise. Ascending answers carry Okta's next link, whose after is a
// position in the log, so a reader polling it gets only what is new.
func (s *Server) serveLogs(a *apiCall) {
	lq, err := parseLogQuery(a.r.URL.Query())
	if err != nil {
		oktaError(a.w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", err.Error())
		return
	}
	events, total := s.log.Since(lq.after)
	base, next := total-len(events), total
	out := []Event{}
	if lq.descending {
		slices.Reverse(events)
	}
	for i, e := range events {
		if !lq.matches(e) {
			continue
		}
		out = append(out, e)
		if len(out) == lq.limit {
			next = base + i + 1
			break
		}
	}
	if !lq.descending {
		q := a.r.URL.Query()
		q.Set("after", strconv.Itoa(next))
		a.w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/logs?%s>; rel="next"`, s.issuerFor(a.r), q.Encode()))
	}
	writeJSON(a.w, http.StatusOK, out)
}
