package terminal

import (
	"errors"

	"github.com/fasthttp/websocket"
)

// closedByPage reports whether a socket ended with a close frame from the
// page. The WebSocket library reports a connection that ends without one
// (a FIN mid-stream) as a close with code 1006, "abnormal closure": a
// code no peer may send, so it never comes from the page and is a drop.
func closedByPage(err error) bool {
	var closed *websocket.CloseError
	return errors.As(err, &closed) && closed.Code != websocket.CloseAbnormalClosure
}
