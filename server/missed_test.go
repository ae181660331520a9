package server_test

import (
	"testing"
	"time"
)

// A trainee whose page was closed while the instructor wrote is sent what
// was missed when it opens again, oldest first, then what comes next; a
// browser's reconnect catches up the same way.
func TestMissedMessagesAreCaughtUp(t *testing.T) {
	lc := newLiveClass(t)
	stream := "/api/v1/me/messages/stream"
	send := func(text string) string {
		t.Helper()
		r := lc.rg.call("POST", "/api/v1/cohorts/"+lc.cohort+"/messages", map[string]string{"text": text}, bearer(lc.token["teacher"])...)
		expect(t, r, 201, "")
		return r.body["id"].(string)
	}
	first := send("Start the lab")
	send("Ten minutes left")
	send("Five minutes left")

	resp, events := openStream(t, lc.base, stream+"?after="+first, lc.token["alice"])
	if resp.StatusCode != 200 {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	for _, want := range []string{"Ten minutes left", "Five minutes left"} {
		if got := next(t, events, "message"); got.Data["text"] != want || got.Data["cohort_name"] != "Orientation class" {
			t.Fatalf("missed, in order: got %v, want %q", got.Data, want)
		}
	}
	time.Sleep(100 * time.Millisecond) // subscribed
	last := send("Stop now")
	if got := next(t, events, "message"); got.Data["text"] != "Stop now" || got.ID != last {
		t.Fatalf("after the catch-up: %+v", got)
	}

	// A reconnect names the last event it had.
	_, again := openStream(t, lc.base, stream, lc.token["alice"], "Last-Event-ID", first)
	if got := next(t, again, "message"); got.Data["text"] != "Ten minutes left" {
		t.Fatalf("reconnect: %v", got.Data)
	}

	// Someone outside the cohort is sent none of it.
	_, bob := openStream(t, lc.base, stream+"?after="+first, lc.token["bob"])
	select {
	case ev, ok := <-bob:
		if ok {
			t.Fatalf("bob got %v", ev)
		}
	case <-time.After(300 * time.Millisecond):
	}
}

// A catch-up point that is no message's id is refused when asked for, and
// ignored when it is only a browser's note of some other stream's events.
func TestMissedMessagesAfterIsChecked(t *testing.T) {
	lc := newLiveClass(t)
	ct := contractOf(t, lc.rg)
	path := "/api/v1/me/messages/stream?after=7"
	r := lc.rg.call("GET", path, nil, bearer(lc.token["alice"])...)
	expect(t, r, 400, "after_invalid")
	ct.holds(t, "GET", path, nil, r)
	resp, _ := openStream(t, lc.base, "/api/v1/me/messages/stream", lc.token["alice"], "Last-Event-ID", "7")
	if resp.StatusCode != 200 {
		t.Fatalf("an old Last-Event-ID: %d", resp.StatusCode)
	}
}
