package terminal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/labs/driver"
)

// Socket is the part of a WebSocket connection the bridge uses.
type Socket interface {
	ReadMessage() (int, []byte, error)
	WriteMessage(int, []byte) error
	SetReadLimit(int64)
	Close() error
}

// Recorder keeps a session: what the shell printed, what was typed, and
// the terminal's size as it changed.
type Recorder interface {
	Output([]byte)
	Input([]byte)
	Resize(rows, cols uint)
	Close() error
}

type noRecorder struct{}

func (noRecorder) Output([]byte)     {}
func (noRecorder) Input([]byte)      {}
func (noRecorder) Resize(uint, uint) {}
func (noRecorder) Close() error      { return nil }

// control is a text frame from the page; bytes typed travel as binary.
type control struct {
	Type string `json:"type"` // "resize"
	Rows uint   `json:"rows"`
	Cols uint   `json:"cols"`
}

// Bridge pumps a socket to a shell until either side ends, then closes
// both: closing the shell's session ends every process it started. Frames
// over maxFrame bytes end the connection. rec (nil: none) records the
// session.
func Bridge(ctx context.Context, ws Socket, shell driver.ExecSession, maxFrame int64, rec Recorder) error {
	ws.SetReadLimit(maxFrame)
	if rec == nil {
		rec = noRecorder{}
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			shell.Close()
			ws.Close()
		})
	}
	defer rec.Close()
	defer stop()

	outputDone := make(chan error, 1)
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := shell.Read(buf)
			if n > 0 {
				rec.Output(buf[:n])
				if werr := ws.WriteMessage(websocket.BinaryMessage, buf[:n]); werr != nil {
					outputDone <- werr
					stop()
					return
				}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				// The shell ended (exit): say so, then hang up.
				_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "shell ended"))
				outputDone <- err
				stop()
				return
			}
		}
	}()

	for {
		kind, msg, err := ws.ReadMessage()
		if err != nil {
			stop()
			<-outputDone
			return nil // the page went away, or sent a frame too large
		}
		switch kind {
		case websocket.BinaryMessage:
			rec.Input(msg)
			if _, err := shell.Write(msg); err != nil {
				stop()
				return <-outputDone
			}
		case websocket.TextMessage:
			var c control
			if json.Unmarshal(msg, &c) == nil && c.Type == "resize" && c.Rows > 0 && c.Cols > 0 && c.Rows < 1000 && c.Cols < 1000 {
				_ = shell.Resize(ctx, c.Rows, c.Cols)
				rec.Resize(c.Rows, c.Cols)
			}
		}
	}
}
