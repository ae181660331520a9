package server

import (
	"bufio"
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

// openStreams are the connections live streams have taken over. The
// server does not know them any more, so it cannot close them when it
// shuts down; closeAll does.
type openStreams struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func newOpenStreams() *openStreams { return &openStreams{conns: map[net.Conn]struct{}{}} }

func (o *openStreams) add(c net.Conn) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.conns[c] = struct{}{}
}

func (o *openStreams) remove(c net.Conn) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.conns, c)
}

// closeAll ends every open stream; their browsers reconnect.
func (o *openStreams) closeAll() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for c := range o.conns {
		_ = c.Close() // a stream whose browser has gone is already closed
	}
	return nil
}

// takeOver answers the request with an event stream that run writes until
// it returns, on the connection itself. The response's head is the one
// the handlers before built (security headers and all), with the event
// stream's own headers, chunked, and the connection closed at the end.
func takeOver(c *fiber.Ctx, open *openStreams, writeTimeout, heartbeat time.Duration, run func(s *sse)) {
	sseHeaders(c)
	h := &c.Response().Header
	h.SetStatusCode(fiber.StatusOK)
	h.SetContentLength(-1)
	h.SetConnectionClose()
	head := h.Header() // a copy: the request's memory is reused once the handler returns
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(conn net.Conn) {
		open.add(conn)
		defer open.remove(conn)
		s := &sse{out: &chunks{conn: conn}, deadline: streamDeadline{conn: conn, wait: writeTimeout + heartbeat}}
		s.deadline.extend()
		if _, err := conn.Write(head); err != nil {
			return
		}
		run(s)
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
