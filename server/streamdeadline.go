package server

import (
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
