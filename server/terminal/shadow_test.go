package terminal

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// pipeShell is a shell whose output the test writes and whose input it reads.
type pipeShell struct {
	out   *io.PipeReader
	print *io.PipeWriter
	mu    sync.Mutex
	typed strings.Builder
}

func newPipeShell() *pipeShell {
	r, w := io.Pipe()
	return &pipeShell{out: r, print: w}
}

func (p *pipeShell) Read(b []byte) (int, error) { return p.out.Read(b) }
func (p *pipeShell) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.typed.Write(b)
}
func (p *pipeShell) Close() error                             { return p.out.Close() }
func (p *pipeShell) CloseWrite() error                        { return nil }
func (p *pipeShell) Resize(context.Context, uint, uint) error { return nil }
func (p *pipeShell) Wait(context.Context) (int, error)        { return 0, nil }

// socket is a page's end of a WebSocket: what the server wrote to it, and
// frames it sends, one at a time.
type socket struct {
	mu      sync.Mutex
	got     strings.Builder
	frames  int
	send    chan []byte
	closed  chan struct{}
	once    sync.Once
	stalled chan struct{} // if set, every write waits for it
}

func newSocket() *socket { return &socket{send: make(chan []byte), closed: make(chan struct{})} }

func (s *socket) ReadMessage() (int, []byte, error) {
	select {
	case b := <-s.send:
		return websocket.BinaryMessage, b, nil
	case <-s.closed:
		return 0, nil, &websocket.CloseError{Code: websocket.CloseAbnormalClosure}
	}
}

func (s *socket) WriteMessage(_ int, b []byte) error {
	if s.stalled != nil {
		<-s.stalled
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got.Write(b)
	s.frames++
	return nil
}

func (s *socket) SetReadLimit(int64) {}
func (s *socket) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

func (s *socket) saw(want string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Contains(s.got.String(), want)
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
	}
}

// A watcher that stops reading is dropped; the trainee's shell and page go
// on as if it had never come.
func TestASlowWatcherNeverHoldsUpTheShell(t *testing.T) {
	shells := NewShells(time.Minute)
	shell := newPipeShell()
	sh := shells.Start("alice", "lab1", shell, nil, 1<<16, func() {})
	page := newSocket()
	go sh.Attach(context.Background(), page, false)
	eventually(t, "the page was never attached", func() bool { return page.saw(`"type":"session"`) })

	slow := newSocket()
	slow.stalled = make(chan struct{}) // never reads what it is sent
	watched := make(chan struct{})
	go func() { sh.Watch(slow); close(watched) }()
	eventually(t, "the trainee was not told", func() bool { return page.saw(`"watchers":1`) })

	line := strings.Repeat("x", 1000) + "\n"
	for range watcherQueue + 50 {
		if _, err := shell.print.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	shell.print.Write([]byte("still-flowing\n"))
	eventually(t, "the shell's output stopped reaching the page", func() bool { return page.saw("still-flowing") })
	eventually(t, "the slow watcher was not dropped", func() bool { return page.saw(`"watchers":0`) })
	close(slow.stalled)
	slow.Close()
	select {
	case <-watched:
	case <-time.After(5 * time.Second):
		t.Fatal("the dropped watcher's view never ended")
	}
	sh.end("test over")
}

// A watcher's frames never reach the shell, and end the view.
func TestAWatcherCannotType(t *testing.T) {
	shells := NewShells(time.Minute)
	shell := newPipeShell()
	sh := shells.Start("alice", "lab1", shell, nil, 1<<16, func() {})
	if got, ok := shells.Newest("alice", "lab1"); !ok || got != sh {
		t.Fatal("the trainee's shell is not found for a shadow")
	}
	if _, ok := shells.Newest("bob", "lab1"); ok {
		t.Fatal("another person's shell was found")
	}
	w := newSocket()
	watched := make(chan struct{})
	go func() { sh.Watch(w); close(watched) }()
	shell.print.Write([]byte("hello\n"))
	eventually(t, "the watcher saw nothing", func() bool { return w.saw("hello") })
	w.send <- []byte("rm -rf /\n")
	select {
	case <-watched:
	case <-time.After(5 * time.Second):
		t.Fatal("typing did not end the view")
	}
	if !w.saw("read-only") {
		t.Fatal("the watcher was not told why")
	}
	shell.mu.Lock()
	typed := shell.typed.String()
	shell.mu.Unlock()
	if typed != "" {
		t.Fatalf("a watcher typed %q into the shell", typed)
	}
	sh.end("test over")
}
