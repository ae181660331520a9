package server_test

import (
	"testing"
	"time"
)

// A live stream answers with the head every response gets (the request's
// id, the security headers) though it writes its own, and ends when the
// server shuts down, which no longer knows its connection.
func TestLiveStreamsKeepTheirHeadAndEndAtShutdown(t *testing.T) {
	lc := newLiveClass(t)
	resp, messages := openStream(t, lc.base, "/api/v1/me/messages/stream", lc.token["alice"])
	if resp.StatusCode != 200 || resp.Header.Get("X-Request-ID") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("the stream's head: %d %v", resp.StatusCode, resp.Header)
	}
	r := lc.rg.call("POST", "/api/v1/cohorts/"+lc.cohort+"/messages", map[string]string{"text": "Welcome"}, bearer(lc.token["teacher"])...)
	expect(t, r, 201, "")
	if got := next(t, messages, "message"); got.Data["text"] != "Welcome" {
		t.Fatalf("message: %+v", got)
	}
	if err := lc.rg.app.ShutdownWithTimeout(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case _, open := <-messages:
		if open {
			t.Fatal("an event after the shutdown")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the server's shutdown")
	}
}
