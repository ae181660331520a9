package drivertest

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/sakimori/sakimori/labs/driver"
)

// session is a command of the fake running in a host. Its process ends
// when the program returns, when the session is closed, or when the host
// is destroyed.
type session struct {
	stdin  *io.PipeReader
	input  *io.PipeWriter
	output *io.PipeReader
	stdout *io.PipeWriter
	cancel context.CancelFunc
	done   chan struct{}
	code   int
	tty    bool

	mu         sync.Mutex
	rows, cols uint
}

// killed is the exit code of a command ended from outside, as SIGKILL's.
const killed = 137

func (f *Fake) start(h *host, instance string, req driver.ExecRequest, env map[string]string) *session {
	ctx, cancel := context.WithCancel(h.ctx)
	s := &session{cancel: cancel, done: make(chan struct{}), tty: req.TTY, rows: req.Rows, cols: req.Cols}
	s.stdin, s.input = io.Pipe()
	s.output, s.stdout = io.Pipe()
	var out io.Writer = s.stdout
	if req.TTY {
		out = crlf{s.stdout}
	}
	p := &Process{
		Instance: instance, Host: h.spec.Name, Args: req.Command, Env: env,
		User: h.spec.User, WorkingDir: h.spec.WorkingDir, Stdin: s.stdin, Stdout: out, TTY: req.TTY,
		files: h.spec.Files, size: s.size, fake: f,
	}
	go func() {
		<-ctx.Done() // closed or destroyed: unblock the program's reads and writes
		s.stdin.Close()
		s.stdout.Close()
	}()
	go func() {
		code := p.Run(ctx, req.Command)
		if ctx.Err() != nil {
			code = killed
		}
		s.code = code
		s.stdout.Close()
		close(s.done)
		cancel()
	}()
	return s
}

func (s *session) Read(p []byte) (int, error)  { return s.output.Read(p) }
func (s *session) Write(p []byte) (int, error) { return s.input.Write(p) }
func (s *session) CloseWrite() error           { return s.input.Close() }

// Close ends the command and the session's streams.
func (s *session) Close() error {
	s.cancel()
	s.input.Close()
	s.output.Close()
	return nil
}

func (s *session) Resize(ctx context.Context, rows, cols uint) error {
	if !s.tty {
		return errors.New("resize: the session has no terminal")
	}
	s.mu.Lock()
	s.rows, s.cols = rows, cols
	s.mu.Unlock()
	return nil
}

func (s *session) size() (uint, uint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows, s.cols
}

func (s *session) Wait(ctx context.Context) (int, error) {
	select {
	case <-s.done:
		return s.code, nil
	case <-ctx.Done():
		return -1, ctx.Err()
	}
}

// crlf writes line ends as a terminal does.
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, strings.ReplaceAll(string(p), "\n", "\r\n")); err != nil {
		return 0, err
	}
	return len(p), nil
}
