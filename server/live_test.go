package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver"
)

// sseEvent is one server-sent event as a browser would see it.
type sseEvent struct {
	ID   string
	Name string
	Data map[string]any
}

// openStream opens a server-sent event stream on a listening range and
// hands its events over a channel, closed when the stream ends.
func openStream(t *testing.T, base, path, token string, headers ...string) (*http.Response, <-chan sseEvent) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan sseEvent, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.Data)
			}
		}
	}()
	return resp, out
}

// next waits for the stream's next event of one of the names, skipping others.
func next(t *testing.T, events <-chan sseEvent, names ...string) sseEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended waiting for %v", names)
			}
			for _, n := range names {
				if ev.Name == n {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %v event", names)
		}
	}
}

// liveClass is a range with labs, an organisation, a cohort taught by
// "teacher" with "alice" in it, and "bob", a trainee outside it.
type liveClass struct {
	rg     *range_
	d      driver.Driver
	base   string
	cohort string
	token  map[string]string
}

func newLiveClass(t *testing.T, opts ...option) *liveClass {
	t.Helper()
	d := fakeLabs()
	rg := newRangeWithLabs(t, d, opts...)
	lc := &liveClass{rg: rg, d: d, token: map[string]string{"admin": rg.setupAdmin()}}
	for name, role := range map[string]accounts.Role{"teacher": accounts.RoleInstructor, "other": accounts.RoleInstructor,
		"alice": accounts.RoleTrainee, "bob": accounts.RoleTrainee} {
		lc.token[name], _ = rg.userWithRole(name+"@range.test", role)
	}
	org := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Academy", "slug": "academy", "kind": "academy"}, bearer(lc.token["admin"])...)
	expect(t, org, 201, "")
	orgID := org.body["id"].(string)
	expect(t, rg.call("POST", "/api/v1/organisations/"+orgID+"/members", map[string]string{"email": "teacher@range.test", "role": "instructor"}, bearer(lc.token["admin"])...), 200, "")
	c := rg.call("POST", "/api/v1/cohorts", cohortBody(orgID, "Orientation class"), bearer(lc.token["teacher"])...)
	expect(t, c, 201, "")
	lc.cohort = c.body["id"].(string)
	expect(t, rg.call("POST", "/api/v1/cohorts/join", map[string]string{"code": c.body["join_code"].(string)}, bearer(lc.token["alice"])...), 200, "")
	lc.base = rg.listen()
	return lc
}

func (lc *liveClass) livePath() string {
	return "/api/v1/cohorts/" + lc.cohort + "/live?scenario=orientation"
}

func TestLiveMatrixFollowsTheClassWithoutReconnecting(t *testing.T) {
	lc := newLiveClass(t)
	resp, events := openStream(t, lc.base, lc.livePath(), lc.token["teacher"])
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	snap := next(t, events, "snapshot")
	rows := snap.Data["rows"].([]any)
	if len(rows) != 1 {
		t.Fatalf("rows: the class's one trainee, not its instructor: %v", snap.Data)
	}
	alice := rows[0].(map[string]any)
	if alice["lab"] != nil || !strings.Contains(alice["display_name"].(string), "alice") {
		t.Fatalf("alice before she starts: %v", alice)
	}
	columns := snap.Data["columns"].([]any)
	if len(columns) == 0 || len(alice["cells"].([]any)) != len(columns) || alice["cells"].([]any)[0] != "untouched" {
		t.Fatalf("columns and cells: %v", snap.Data)
	}

	lab := runningLab(t, lc.rg, lc.token["alice"])
	for {
		row := next(t, events, "row")
		if lab, _ := row.Data["lab"].(map[string]any); lab != nil && lab["state"] == "running" {
			break
		}
	}
	submit := func(answer string) {
		expect(t, lc.rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": answer}, bearer(lc.token["alice"])...), 200, "")
	}
	submit("FLAG{not-it}")
	if cell := next(t, events, "cell"); cell.Data["objective_id"] != "first-flag" || cell.Data["state"] != "attempted" {
		t.Fatalf("a wrong answer: %v", cell.Data)
	}
	submit(flagIn(t, lc.d, lab))
	if cell := next(t, events, "cell"); cell.Data["objective_id"] != "first-flag" || cell.Data["state"] != "solved" {
		t.Fatalf("a solve: %v", cell.Data)
	}

	// A reconnect, as a browser makes after a drop or a restart, starts
	// again from a snapshot with everything so far.
	_, again := openStream(t, lc.base, lc.livePath(), lc.token["teacher"], "Last-Event-ID", "7")
	snap = next(t, again, "snapshot")
	alice = snap.Data["rows"].([]any)[0].(map[string]any)
	if alice["cells"].([]any)[0] != "solved" || alice["lab"].(map[string]any)["state"] != "running" {
		t.Fatalf("snapshot after the solve: %v", alice)
	}
}

func TestLiveViewIsForTheClassManagersOnly(t *testing.T) {
	lc := newLiveClass(t)
	for _, who := range []string{"alice", "bob", "other"} {
		r := lc.rg.call("GET", lc.livePath(), nil, bearer(lc.token[who])...)
		expect(t, r, 404, "cohort_not_found")
		r = lc.rg.call("POST", "/api/v1/cohorts/"+lc.cohort+"/messages", map[string]string{"text": "hi"}, bearer(lc.token[who])...)
		expect(t, r, 404, "cohort_not_found")
	}
	expect(t, lc.rg.call("GET", "/api/v1/cohorts/"+lc.cohort+"/live", nil, bearer(lc.token["teacher"])...), 400, "scenario_required")
	expect(t, lc.rg.call("GET", "/api/v1/cohorts/"+lc.cohort+"/live?scenario=nope", nil, bearer(lc.token["teacher"])...), 400, "scenario_unknown")
	expect(t, lc.rg.call("GET", lc.livePath(), nil), 401, "")
	resp, events := openStream(t, lc.base, lc.livePath(), lc.token["admin"])
	if resp.StatusCode != 200 {
		t.Fatalf("a range admin: %d", resp.StatusCode)
	}
	next(t, events, "snapshot")
}

func TestBroadcastReachesMembersAtOnce(t *testing.T) {
	lc := newLiveClass(t)
	_, alice := openStream(t, lc.base, "/api/v1/me/messages/stream", lc.token["alice"])
	_, bob := openStream(t, lc.base, "/api/v1/me/messages/stream", lc.token["bob"])
	send := func(text string) reply {
		return lc.rg.call("POST", "/api/v1/cohorts/"+lc.cohort+"/messages", map[string]string{"text": text}, bearer(lc.token["teacher"])...)
	}
	expect(t, send("   "), 400, "message_required")
	expect(t, send(strings.Repeat("あ", 501)), 400, "message_too_long")
	time.Sleep(100 * time.Millisecond) // both streams are subscribed
	r := send("Ten minutes left — 残り10分")
	expect(t, r, 201, "")
	got := next(t, alice, "message")
	if got.Data["text"] != "Ten minutes left — 残り10分" || got.Data["cohort_name"] != "Orientation class" || got.Data["id"] != r.body["id"] {
		t.Fatalf("alice's message: %v", got.Data)
	}
	select {
	case ev, ok := <-bob:
		if ok {
			t.Fatalf("bob, outside the cohort, got %v", ev)
		}
	case <-time.After(300 * time.Millisecond):
	}
}

func TestLiveRepliesKeepToTheContract(t *testing.T) {
	lc := newLiveClass(t)
	ct := contractOf(t, lc.rg)
	for _, c := range []struct {
		who, method, path string
		body              any
	}{
		{"bob", "GET", lc.livePath(), nil},
		{"teacher", "GET", "/api/v1/cohorts/" + lc.cohort + "/live", nil},
		{"teacher", "GET", "/api/v1/cohorts/" + lc.cohort + "/live?scenario=nope", nil},
		{"teacher", "POST", "/api/v1/cohorts/" + lc.cohort + "/messages", map[string]string{"text": "Break: back at 11"}},
		{"teacher", "POST", "/api/v1/cohorts/" + lc.cohort + "/messages", map[string]string{"text": ""}},
		{"bob", "POST", "/api/v1/cohorts/" + lc.cohort + "/messages", map[string]string{"text": "hi"}},
	} {
		var raw []byte
		if c.body != nil {
			raw, _ = json.Marshal(c.body)
		}
		ct.holds(t, c.method, c.path, raw, lc.rg.call(c.method, c.path, c.body, bearer(lc.token[c.who])...))
	}
}

func TestLiveStreamsPerPersonAreLimited(t *testing.T) {
	lc := newLiveClass(t)
	// Refused openings hold no place.
	for range 6 {
		expect(t, lc.rg.call("GET", "/api/v1/cohorts/"+lc.cohort+"/live?scenario=nope", nil, bearer(lc.token["teacher"])...), 400, "scenario_unknown")
	}
	for range 4 {
		_, events := openStream(t, lc.base, lc.livePath(), lc.token["teacher"])
		next(t, events, "snapshot")
	}
	expect(t, lc.rg.call("GET", lc.livePath(), nil, bearer(lc.token["teacher"])...), 429, "too_many_streams")
}

// An instructor reading in Japanese sees the live view's objectives, their
// hints and the class charts' objectives in Japanese; ids stay.
func TestLiveViewSpeaksTheReadersLanguage(t *testing.T) {
	lc := newLiveClass(t)
	_, events := openStream(t, lc.base, lc.livePath(), lc.token["teacher"], "Accept-Language", "ja")
	snap := next(t, events, "snapshot")
	raw, _ := json.Marshal(snap.Data["columns"])
	if !strings.Contains(string(raw), `"id":"first-flag"`) || !strings.Contains(string(raw), `"title":"Web ホストが配信しているフラグを読み取る"`) ||
		!strings.Contains(string(raw), "環境変数") {
		t.Fatalf("columns in Japanese: %s", raw)
	}
	_, english := openStream(t, lc.base, lc.livePath(), lc.token["teacher"])
	raw, _ = json.Marshal(next(t, english, "snapshot").Data["columns"])
	if !strings.Contains(string(raw), `"title":"Read the flag the web host serves"`) {
		t.Fatalf("columns in English: %s", raw)
	}
	charts := lc.rg.call("GET", lc.chartsPath(), nil, append(bearer(lc.token["teacher"]), "Accept-Language", "ja")...)
	expect(t, charts, 200, "")
	if !strings.Contains(charts.raw, `"title":"Web ホストが配信しているフラグを読み取る"`) {
		t.Fatalf("charts in Japanese: %s", charts.raw)
	}
}
