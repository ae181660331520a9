package server_test

import (
	"testing"
	"time"
)

// A message stream outlives the server's write timeout: it used to be cut
// mid-body once the timeout passed, so a trainee's page lost its stream
// (and logged an incomplete body) every 30 s. Here the timeout is 1 s and
// the stream is still open, and still delivers, well after it.
func TestEventStreamsOutliveTheWriteTimeout(t *testing.T) {
	lc := newLiveClass(t, withWriteTimeout(time.Second))
	resp, messages := openStream(t, lc.base, "/api/v1/me/messages/stream", lc.token["alice"])
	if resp.StatusCode != 200 {
		t.Fatalf("message stream: %d", resp.StatusCode)
	}
	_, matrix := openStream(t, lc.base, lc.livePath(), lc.token["teacher"])
	if got := next(t, matrix, "snapshot"); got.Name != "snapshot" {
		t.Fatalf("live matrix: %+v", got)
	}

	time.Sleep(2500 * time.Millisecond) // past the write timeout, twice over
	r := lc.rg.call("POST", "/api/v1/cohorts/"+lc.cohort+"/messages", map[string]string{"text": "Still with us?"}, bearer(lc.token["teacher"])...)
	expect(t, r, 201, "")
	if got := next(t, messages, "message"); got.Data["text"] != "Still with us?" {
		t.Fatalf("after the write timeout the message stream gave %+v", got)
	}
	select {
	case ev, ok := <-matrix:
		if !ok {
			t.Fatal("the live matrix stream was cut at the write timeout")
		}
		_ = ev // any event is proof it is open
	case <-time.After(100 * time.Millisecond):
		// no news for the matrix: it must still be open, which a closed
		// channel would have shown at once
	}
}
