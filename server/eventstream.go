package server

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// A live stream is held for an hour by each open lab page and instructor's
// view, ten thousand at once on a busy range, so what one costs is what
// the range can hold. A body stream writer (fasthttp's way to stream)
// costs a connection's goroutine and read and write buffers, a second
// goroutine, a pipe, a buffered writer and a copy buffer: about 54 KiB
// each. A live stream instead takes the connection over once its request
// is read (a hijack): one goroutine writes chunks straight to the socket,
// and every buffer of the request goes back to the server's pools. The
// server must be set to release its buffers between requests
// (ReduceMemoryUsage), or the request's read buffer is held by the stream.

// openStreams are the live streams on connections taken over. The server
// does not know those connections any more, so it cannot end them when it
// shuts down; closeAll does, by ending each stream.
type openStreams struct {
	mu   sync.Mutex
	next int
	open map[int]context.CancelFunc
}

func newOpenStreams() *openStreams { return &openStreams{open: map[int]context.CancelFunc{}} }

// start gives a stream its context, which ends after limit or at closeAll,
// and the function to call when the stream is over.
func (o *openStreams) start(limit time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.next++
	id := o.next
	o.open[id] = cancel
	return ctx, func() {
		cancel()
		o.mu.Lock()
		defer o.mu.Unlock()
		delete(o.open, id)
	}
}

// closeAll ends every open stream; their browsers reconnect.
func (o *openStreams) closeAll() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, cancel := range o.open {
		cancel()
	}
	return nil
}

// takeOver answers the request with an event stream that run writes, on
// the connection itself, until it returns or ctx ends: after limit, or
// when the server shuts down. The response's head is the one the handlers
// before built (the request's id, the security headers), with the event
// stream's own headers, chunked, the connection closed at its end.
func takeOver(c *fiber.Ctx, open *openStreams, limit, writeTimeout, heartbeat time.Duration, run func(ctx context.Context, s *sse)) {
	sseHeaders(c)
	h := &c.Response().Header
	h.SetStatusCode(fiber.StatusOK)
	h.SetContentLength(-1)
	h.SetConnectionClose()
	head := h.Header() // a copy: the request's memory is reused once the handler returns
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(conn net.Conn) {
		ctx, end := open.start(limit)
		defer end()
		s := &sse{out: &chunks{conn: conn}, deadline: streamDeadline{conn: conn, wait: writeTimeout + heartbeat}}
		s.deadline.extend()
		if _, err := conn.Write(head); err != nil {
			return
		}
		run(ctx, s)
		s.deadline.extend()
		_, _ = conn.Write([]byte("0\r\n\r\n")) // the end of the chunked body; the connection closes next
	})
}

// chunks writes each event as one chunk of a chunked body.
type chunks struct {
	conn net.Conn
	buf  []byte
}

func (w *chunks) emit(text string) error {
	w.buf = strconv.AppendInt(w.buf[:0], int64(len(text)), 16)
	w.buf = append(w.buf, "\r\n"...)
	w.buf = append(w.buf, text...)
	w.buf = append(w.buf, "\r\n"...)
	_, err := w.conn.Write(w.buf)
	if cap(w.buf) > 1024 {
		w.buf = nil // a snapshot's size is not kept for the stream's life
	}
	return err
}

// body writes events to a body stream writer's buffer, flushing each.
type body struct{ w *bufio.Writer }

func (b body) emit(text string) error {
	if _, err := b.w.WriteString(text); err != nil {
		return err
	}
	return b.w.Flush()
}
