package docker

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/sakimori/sakimori/labs/driver"
)

// Exec runs a command in a host as the host's own user and working
// directory (never one the caller picks), attached to its input and output.
func (e *Engine) Exec(ctx context.Context, instanceID, host string, req driver.ExecRequest) (driver.ExecSession, error) {
	info, err := e.cli.ContainerInspect(ctx, containerName(instanceID, host))
	if cerrdefs.IsNotFound(err) {
		return nil, fmt.Errorf("%w: host %s", driver.ErrNotFound, host)
	}
	if err != nil {
		return nil, e.fail("inspect host "+host, err)
	}
	if info.Config.Labels[driver.LabelInstance] != instanceID || !e.ours(info.Config.Labels) {
		return nil, fmt.Errorf("%w: host %s", driver.ErrNotFound, host)
	}
	if !info.State.Running {
		return nil, fmt.Errorf("host %s is not running", host)
	}
	// The command runs under a shell that first prints its own process id
	// (inside the host's namespace), so Close can end every process of the
	// session: the engine leaves them running when the connection closes.
	wrapped := append([]string{"/bin/sh", "-c", `echo "$$"; exec "$@"`, "sakimori-session"}, req.Command...)
	opts := container.ExecOptions{
		Cmd: wrapped, Env: req.Env, Tty: req.TTY,
		User: info.Config.User, WorkingDir: info.Config.WorkingDir,
		AttachStdin: true, AttachStdout: true, AttachStderr: true,
	}
	if req.TTY && req.Rows > 0 && req.Cols > 0 {
		opts.ConsoleSize = &[2]uint{req.Rows, req.Cols}
	}
	created, err := e.cli.ContainerExecCreate(ctx, info.ID, opts)
	if err != nil {
		return nil, e.fail("exec in "+host, err)
	}
	resp, err := e.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{Tty: req.TTY, ConsoleSize: opts.ConsoleSize})
	if err != nil {
		return nil, e.fail("attach to exec in "+host, err)
	}
	s := &execSession{engine: e, id: created.ID, container: info.ID, conn: resp}
	var out io.Reader = resp.Reader
	if !req.TTY {
		// Without a terminal the engine multiplexes stdout and stderr in
		// one framed stream; unframe it into one readable stream.
		pr, pw := io.Pipe()
		go func() { _, err := stdcopy.StdCopy(pw, pw, resp.Reader); pw.CloseWithError(err) }()
		out = pr
	}
	buffered := bufio.NewReader(out)
	line, err := buffered.ReadString('\n')
	if err != nil {
		resp.Close()
		return nil, fmt.Errorf("exec in %s: no session id: %w", host, err)
	}
	s.pid, _ = strconv.Atoi(strings.TrimSpace(line))
	s.out = buffered
	// The engine does not always apply the console size given at create;
	// set it again now that the command runs.
	if opts.ConsoleSize != nil {
		if err := s.Resize(ctx, req.Rows, req.Cols); err != nil {
			s.Close()
			return nil, e.fail("size the terminal in "+host, err)
		}
	}
	return s, nil
}

type execSession struct {
	engine    *Engine
	id        string
	container string
	pid       int // the session leader, in the host's process namespace
	conn      types.HijackedResponse
	out       io.Reader
	closed    sync.Once
}

func (s *execSession) Read(p []byte) (int, error)  { return s.out.Read(p) }
func (s *execSession) Write(p []byte) (int, error) { return s.conn.Conn.Write(p) }
func (s *execSession) CloseWrite() error           { return s.conn.CloseWrite() }

// Close ends the session: the connection, and every process the command
// started (the engine would leave them running). The processes are killed
// only if the command still ran when Close began, so its id was still its
// own: the kernel keeps a session's id from being reused while any process
// of the session lives, so the sweep after it cannot reach another
// session. The command is asked before the connection closes, since
// closing it may end the command at once (a shell ends when its terminal
// goes) while what it started runs on.
func (s *execSession) Close() error {
	var err error
	s.closed.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		info, ierr := s.engine.cli.ContainerExecInspect(ctx, s.id)
		s.conn.Close()
		if ierr != nil || !info.Running || s.pid <= 1 {
			return
		}
		err = s.engine.killSession(ctx, s.container, s.pid)
	})
	return err
}

// killSession kills every process in the host whose session is sid: from
// inside the host if an exec starts there at once, and otherwise (a host
// whose process table is full, where an exec may wait minutes for a pid)
// from outside.
func (e *Engine) killSession(ctx context.Context, containerID string, sid int) error {
	if current, limit := e.processes(ctx, containerID); limit == 0 || current*20 < limit*19 {
		quick, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := e.killSessionInside(quick, containerID, sid)
		cancel()
		if err == nil {
			return nil
		}
	}
	if err := e.killSessionFromOutside(ctx, containerID, sid); err != nil {
		return e.fail("end terminal session", err)
	}
	return nil
}

// sweepSession is a shell script that kills every process of session sid
// it can see. Lab images need no pkill: it walks /proc, reading the
// session id that follows the command name in each stat line. It forks
// nothing (read, set, test and kill are shell builtins), and sweeps again
// until a pass finds none of the session left, since a fork bomb makes
// more while it is swept. Zombies are skipped: they are dead already, and
// the host's init reaps them once their parents are gone.
func sweepSession(sid int) []string {
	return []string{"/bin/sh", "-c", fmt.Sprintf(`i=0; while [ $i -lt 50 ]; do i=$((i+1)); n=0; for p in /proc/[0-9]*; do `+
		`{ read -r l < "$p/stat"; } 2>/dev/null || continue; set -- ${l##*) }; `+
		`[ "$1" != Z ] && [ "$4" = "%d" ] && kill -KILL "${p#/proc/}" 2>/dev/null && n=$((n+1)); done; `+
		`[ $n = 0 ] && exit 0; done; exit 1`, sid)}
}

// killSessionInside sweeps the session with an exec in the host.
func (e *Engine) killSessionInside(ctx context.Context, containerID string, sid int) error {
	created, err := e.cli.ContainerExecCreate(ctx, containerID, container.ExecOptions{Cmd: sweepSession(sid)})
	if err != nil {
		return err
	}
	if err := e.cli.ContainerExecStart(ctx, created.ID, container.ExecStartOptions{}); err != nil {
		return err
	}
	for {
		info, err := e.cli.ContainerExecInspect(ctx, created.ID)
		if err != nil {
			return err
		}
		if !info.Running {
			if info.ExitCode != 0 {
				return fmt.Errorf("session sweep exited %d", info.ExitCode)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// killSessionFromOutside sweeps the session from a one-shot helper
// container that shares only the host's process namespace and user. The
// helper has its own pids cgroup, so the full host's limit does not stop
// it from starting. (Freezing the host first would stop the forking, but
// the kernel cannot freeze a cgroup a fork bomb is busy in.)
func (e *Engine) killSessionFromOutside(ctx context.Context, containerID string, sid int) error {
	info, err := e.cli.ContainerInspect(ctx, containerID)
	if err != nil {
		return err
	}
	cfg, hc := sweepHelper(info.Config.Labels, info.Config.User, containerID, sid)
	cfg.Image = e.image(cfg.Image)
	made, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, "")
	if err != nil {
		return fmt.Errorf("prepare the session sweep: %w", err)
	}
	defer e.cli.ContainerRemove(context.WithoutCancel(ctx), made.ID, container.RemoveOptions{Force: true})
	return e.runToEnd(ctx, made.ID)
}

func (s *execSession) Resize(ctx context.Context, rows, cols uint) error {
	return s.engine.cli.ContainerExecResize(ctx, s.id, container.ResizeOptions{Height: rows, Width: cols})
}

// Wait polls until the command ends; the engine has no blocking wait for execs.
func (s *execSession) Wait(ctx context.Context) (int, error) {
	for {
		info, err := s.engine.cli.ContainerExecInspect(ctx, s.id)
		if err != nil {
			return -1, s.engine.fail("inspect exec", err)
		}
		if !info.Running {
			return info.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}
