package terminal

import (
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/fasthttp/websocket"
)

func TestOnlyACloseFrameClosesTheShell(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"a close frame", &websocket.CloseError{Code: websocket.CloseGoingAway}, true},
		{"a close frame without a code", &websocket.CloseError{Code: websocket.CloseNoStatusReceived}, true},
		{"a FIN mid-stream", &websocket.CloseError{Code: websocket.CloseAbnormalClosure, Text: io.ErrUnexpectedEOF.Error()}, false},
		{"a FIN", io.EOF, false},
		{"a FIN inside a frame", io.ErrUnexpectedEOF, false},
		{"a socket closed here", fmt.Errorf("read: %w", net.ErrClosed), false},
		{"a reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, false},
	} {
		if got := closedByPage(c.err); got != c.want {
			t.Errorf("%s: closed by the page %v, want %v", c.name, got, c.want)
		}
	}
}
