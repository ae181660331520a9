package terminal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/labs/driver"
)

// A Shell is one shell in a lab, which may outlive the socket it was
// opened on. A page that closes its socket (a close frame: the tab closed,
// the lab page left) ends the shell and everything it started at once. A
// connection that ends any other way (a network blip, a laptop lid, a FIN
// or a reset) leaves the shell waiting for Grace; a page that comes back
// with the shell's id attaches to it again, and first gets what it printed
// meanwhile.
type Shell struct {
	ID     string
	UserID string
	LabID  string

	shell    driver.ExecSession
	rec      Recorder
	shells   *Shells
	maxFrame int64

	seq int64 // order of opening, so a shadow finds the newest shell

	mu         sync.Mutex
	ws         Socket // nil while detached
	backlog    []byte
	scrollback []byte // the latest output, whoever is attached, for a shadow's start
	watchers   map[*watcher]struct{}
	timer      *time.Timer
	ended      bool
	done       chan struct{}
}

// maxBacklog bounds what a detached shell keeps for its page's return.
const maxBacklog = 64 << 10

// Shells are the shells open on this server, by id.
type Shells struct {
	mu     sync.Mutex
	byID   map[string]*Shell
	grace  time.Duration
	opened int64
}

// NewShells keeps a detached shell for grace before ending it.
func NewShells(grace time.Duration) *Shells {
	return &Shells{byID: map[string]*Shell{}, grace: grace}
}

// Start takes over a shell just opened; onEnd runs once it has ended.
func (s *Shells) Start(userID, labID string, shell driver.ExecSession, rec Recorder, maxFrame int64, onEnd func()) *Shell {
	if rec == nil {
		rec = noRecorder{}
	}
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	sh := &Shell{ID: base64.RawURLEncoding.EncodeToString(b), UserID: userID, LabID: labID,
		shell: shell, rec: rec, shells: s, maxFrame: maxFrame, done: make(chan struct{})}
	s.mu.Lock()
	s.opened++
	sh.seq = s.opened
	s.byID[sh.ID] = sh
	s.mu.Unlock()
	go func() {
		<-sh.done
		onEnd()
	}()
	go sh.pump()
	return sh
}

// Resume finds a detached shell of the person's in the lab.
func (s *Shells) Resume(id, userID, labID string) (*Shell, bool) {
	s.mu.Lock()
	sh, ok := s.byID[id]
	s.mu.Unlock()
	if !ok || sh.UserID != userID || sh.LabID != labID {
		return nil, false
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh, !sh.ended && sh.ws == nil
}

// pump carries the shell's output to the page, or keeps it while the
// page is away, until the shell ends.
func (sh *Shell) pump() {
	buf := make([]byte, 32<<10)
	for {
		n, err := sh.shell.Read(buf)
		if n > 0 {
			sh.rec.Output(buf[:n])
			sh.mu.Lock()
			sh.keep(buf[:n])
			sh.fanOut(buf[:n])
			if sh.ws != nil {
				_ = sh.ws.WriteMessage(websocket.BinaryMessage, buf[:n]) // a broken socket is noticed by its reader
			} else {
				sh.backlog = append(sh.backlog, buf[:n]...)
				if over := len(sh.backlog) - maxBacklog; over > 0 {
					sh.backlog = append([]byte(nil), sh.backlog[over:]...)
				}
			}
			sh.mu.Unlock()
		}
		if err != nil {
			sh.end("shell ended")
			return
		}
	}
}

// end closes the shell for good: its session (so every process it
// started), its recording, and the page's socket with a reason.
func (sh *Shell) end(reason string) {
	sh.mu.Lock()
	if sh.ended {
		sh.mu.Unlock()
		return
	}
	sh.ended = true
	if sh.timer != nil {
		sh.timer.Stop()
	}
	if sh.ws != nil {
		_ = sh.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, reason))
		_ = sh.ws.Close()
		sh.ws = nil
	}
	for w := range sh.watchers {
		w.drop(websocket.CloseNormalClosure, "the trainee's shell ended")
	}
	sh.watchers = nil
	sh.mu.Unlock()
	_ = sh.shell.Close()
	_ = sh.rec.Close()
	sh.shells.mu.Lock()
	delete(sh.shells.byID, sh.ID)
	sh.shells.mu.Unlock()
	close(sh.done)
}

// hello tells the page which shell it is on, so it can come back to it.
type hello struct {
	Type    string `json:"type"` // "session"
	ID      string `json:"id"`
	Resumed bool   `json:"resumed"`
}

// Attach pumps the page's socket into the shell until the socket ends.
func (sh *Shell) Attach(ctx context.Context, ws Socket, resumed bool) {
	ws.SetReadLimit(sh.maxFrame)
	sh.mu.Lock()
	if sh.ended || sh.ws != nil {
		sh.mu.Unlock()
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "that terminal is gone"))
		_ = ws.Close()
		return
	}
	if sh.timer != nil {
		sh.timer.Stop()
		sh.timer = nil
	}
	msg, _ := json.Marshal(hello{Type: "session", ID: sh.ID, Resumed: resumed})
	_ = ws.WriteMessage(websocket.TextMessage, msg)
	if len(sh.backlog) > 0 {
		_ = ws.WriteMessage(websocket.BinaryMessage, sh.backlog)
		sh.backlog = nil
	}
	sh.ws = ws
	if len(sh.watchers) > 0 { // a page that comes back is told again
		sh.tellWatched()
	}
	sh.mu.Unlock()

	for {
		kind, msg, err := ws.ReadMessage()
		if err != nil {
			sh.detach(ws, err)
			return
		}
		switch kind {
		case websocket.BinaryMessage:
			sh.rec.Input(msg)
			if _, err := sh.shell.Write(msg); err != nil {
				sh.end("shell ended")
				return
			}
		case websocket.TextMessage:
			var c control
			if json.Unmarshal(msg, &c) == nil && c.Type == "resize" && c.Rows > 0 && c.Cols > 0 && c.Rows < 1000 && c.Cols < 1000 {
				_ = sh.shell.Resize(ctx, c.Rows, c.Cols)
				sh.rec.Resize(c.Rows, c.Cols)
			}
		}
	}
}

// detach handles the end of a socket: a close frame from the page ends
// the shell; an oversized frame ends it; any other end (a FIN, a reset, a
// timeout) is a dropped connection and leaves it waiting for the page to
// come back.
func (sh *Shell) detach(ws Socket, err error) {
	sh.mu.Lock()
	if sh.ws == ws {
		sh.ws = nil
	}
	sh.mu.Unlock()
	_ = ws.Close()
	if closedByPage(err) || errors.Is(err, websocket.ErrReadLimit) {
		sh.end("closed by the page")
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.ended || sh.ws != nil {
		return
	}
	sh.timer = time.AfterFunc(sh.shells.grace, func() { sh.end("nobody came back") })
}
