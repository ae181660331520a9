package server

import (
	"bufio"
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
)

// How the lab stream watches: at each transition this server writes, and
// besides now and then (a change made by another server on the database),
// with a comment line now and then so proxies keep the connection, and not
// forever.
var streamEvery = 250 * time.Millisecond // a variable so a test can lengthen it

const (
	streamHeartbeat = 15 * time.Second
	streamLimit     = 10 * time.Minute
	streamsPerUser  = 4 // a page needs one; more is a loop or a flood
)

var errTooManyStreams = fault.New(fault.RateLimited, "too_many_streams", "Too many lab event streams are open; close a tab and try again.")

// events is GET /api/v1/labs/:id/events: the lab's state, step and
// progress as server-sent events, one "lab" event per change, ending
// once the lab has settled (running, stopped or failed). The browser
// reads it with fetch, so the access token travels in a header as for
// every other call.
func (h labsAPI) events(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	actor, err := actorOf(c)
	if err != nil {
		return err
	}
	first, err := h.labs.Lab(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	if !h.streams.Begin(actor.UserID) {
		return errTooManyStreams
	}
	c.Set("Content-Type", "text/event-stream")
	c.Set("Cache-Control", "no-store")
	c.Set("X-Accel-Buffering", "no")
	deadline := newStreamDeadline(c, h.writeTimeout, streamHeartbeat)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer h.streams.End(actor.UserID)
		ctx, cancel := context.WithTimeout(context.Background(), streamLimit)
		defer cancel()
		h.stream(ctx, &sse{out: body{w}, deadline: deadline}, actor, first)
	})
	return nil
}

func (h labsAPI) stream(ctx context.Context, s *sse, actor labs.Actor, inst labs.Instance) {
	changed, unwatch := h.labs.Changes(inst.ID)
	defer unwatch()
	var last []byte
	quiet := time.Now()
	for {
		data, _ := json.Marshal(h.view(inst))
		if string(data) != string(last) {
			if !s.raw("event: lab\ndata: " + string(data) + "\n\n") {
				return // the browser went away
			}
			last, quiet = data, time.Now()
		} else if time.Since(quiet) > streamHeartbeat {
			if !s.raw(": still here\n\n") {
				return
			}
			quiet = time.Now()
		}
		if settled(inst.State) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-time.After(streamEvery):
		}
		next, err := h.labs.Lab(ctx, actor, inst.ID)
		if err != nil {
			return
		}
		inst = next
	}
}

func settled(s labs.State) bool {
	return s == labs.StateRunning || s == labs.StateStopped || s == labs.StateFailed
}
