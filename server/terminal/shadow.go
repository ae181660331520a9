package terminal

import (
	"encoding/json"
	"sync"

	"github.com/fasthttp/websocket"
)

// A shadow is staff watching a trainee's shell: it gets what the shell
// printed so far and everything it prints after, and can never type into
// it or resize it. The trainee's page is told while one is attached.
//
// Each watcher has its own queue and writer, so a slow watcher never holds
// up the trainee's shell: a watcher whose queue fills is dropped.

// maxScrollback bounds the output a shadow is shown on arrival.
const maxScrollback = 64 << 10

// watcherQueue is how many output frames a watcher may fall behind.
const watcherQueue = 256

// maxWatcherFrame is all a watcher may send: close frames and pings. A
// longer frame is input, which a shadow refuses.
const maxWatcherFrame = 512

type frame struct {
	kind int
	data []byte
}

type watcher struct {
	out    chan frame
	once   sync.Once
	code   int
	reason string
}

// drop ends the watcher's queue; its writer closes the socket with code
// and reason. Called with the shell's lock held.
func (w *watcher) drop(code int, reason string) {
	w.once.Do(func() {
		w.code, w.reason = code, reason
		close(w.out)
	})
}

// watched is what the trainee's page is told: how many staff watch.
type watched struct {
	Type     string `json:"type"` // "watched"
	Watchers int    `json:"watchers"`
}

// shadowHello tells a watcher which shell it sees.
type shadowHello struct {
	Type string `json:"type"` // "shadow"
	ID   string `json:"id"`
}

// keep adds output to the scrollback. Called with the lock held.
func (sh *Shell) keep(p []byte) {
	sh.scrollback = append(sh.scrollback, p...)
	if over := len(sh.scrollback) - maxScrollback; over > 0 {
		sh.scrollback = append([]byte(nil), sh.scrollback[over:]...)
	}
}

// fanOut queues output for every watcher. Called with the lock held.
func (sh *Shell) fanOut(p []byte) {
	if len(sh.watchers) == 0 {
		return
	}
	data := append([]byte(nil), p...) // the pump reuses its buffer
	for w := range sh.watchers {
		select {
		case w.out <- frame{websocket.BinaryMessage, data}:
		default:
			w.drop(websocket.ClosePolicyViolation, "the view fell too far behind; open it again")
			delete(sh.watchers, w)
			sh.tellWatched()
		}
	}
}

// tellWatched tells the trainee's page, if attached, how many watch now.
// Called with the lock held: the lock orders every write to that socket.
func (sh *Shell) tellWatched() {
	if sh.ws == nil {
		return
	}
	msg, _ := json.Marshal(watched{Type: "watched", Watchers: len(sh.watchers)})
	_ = sh.ws.WriteMessage(websocket.TextMessage, msg)
}

// Watch shows the shell to ws, read-only, until either ends. Anything ws
// sends other than a close or a ping ends the view: a shadow has no say.
func (sh *Shell) Watch(ws Socket) {
	ws.SetReadLimit(maxWatcherFrame)
	w := &watcher{out: make(chan frame, watcherQueue)}
	hello, _ := json.Marshal(shadowHello{Type: "shadow", ID: sh.ID})
	w.out <- frame{websocket.TextMessage, hello}
	sh.mu.Lock()
	if sh.ended {
		sh.mu.Unlock()
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "the trainee's shell ended"))
		_ = ws.Close()
		return
	}
	if len(sh.scrollback) > 0 {
		w.out <- frame{websocket.BinaryMessage, append([]byte(nil), sh.scrollback...)}
	}
	if sh.watchers == nil {
		sh.watchers = map[*watcher]struct{}{}
	}
	sh.watchers[w] = struct{}{}
	sh.tellWatched()
	sh.mu.Unlock()

	written := make(chan struct{})
	go func() {
		defer close(written)
		defer ws.Close()
		for f := range w.out {
			if ws.WriteMessage(f.kind, f.data) != nil {
				return // a broken socket: its reader ends the view
			}
		}
		// The queue was closed by drop, which set the reason before.
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(w.code, w.reason))
	}()
	for {
		kind, _, err := ws.ReadMessage()
		if err != nil {
			sh.unwatch(w, websocket.CloseNormalClosure, "closed")
			break
		}
		if kind == websocket.BinaryMessage || kind == websocket.TextMessage {
			sh.unwatch(w, websocket.ClosePolicyViolation, "this view is read-only")
			break
		}
	}
	<-written
}

func (sh *Shell) unwatch(w *watcher, code int, reason string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	w.drop(code, reason)
	if _, ok := sh.watchers[w]; ok {
		delete(sh.watchers, w)
		sh.tellWatched()
	}
}

// Newest finds the most recently opened shell the trainee has in the lab,
// for a shadow to watch.
func (s *Shells) Newest(traineeID, labID string) (*Shell, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *Shell
	for _, sh := range s.byID {
		if sh.UserID == traineeID && sh.LabID == labID && (found == nil || sh.seq > found.seq) {
			found = sh
		}
	}
	return found, found != nil
}
