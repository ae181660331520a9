package server

import (
	"io"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
)

// streamDeadline keeps a long response, an event stream, within the
// server's write timeout. fasthttp sets that deadline once, when a
// response starts, so a stream open longer than it was cut mid-body: the
// browser saw an incomplete chunked body and had to reconnect every 30 s.
// A stream instead moves the connection's deadline on before each write,
// far enough for the quiet spell until its next heartbeat and the write
// timeout after it. It lives as long as its reader reads; a reader that
// stops reading is still dropped.
type streamDeadline struct {
	conn net.Conn
	wait time.Duration
}

func newStreamDeadline(c *fiber.Ctx, writeTimeout, heartbeat time.Duration) streamDeadline {
	return streamDeadline{conn: c.Context().Conn(), wait: writeTimeout + heartbeat}
}

// extend moves the write deadline past the stream's next write.
func (d streamDeadline) extend() {
	if d.conn != nil {
		_ = d.conn.SetWriteDeadline(time.Now().Add(d.wait))
	}
}

// deadlineWriter moves the connection's write deadline on before each
// write: a long download (a cohort archive) lasts as long as it keeps
// writing, each write bounded by the write timeout.
type deadlineWriter struct {
	w        io.Writer
	deadline streamDeadline
}

func (d deadlineWriter) Write(p []byte) (int, error) {
	d.deadline.extend()
	return d.w.Write(p)
}
