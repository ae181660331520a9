package docker

import (
	"context"
	"fmt"
	"io"
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
	if info.Config.Labels[driver.LabelInstance] != instanceID {
		return nil, fmt.Errorf("%w: host %s", driver.ErrNotFound, host)
	}
	if !info.State.Running {
		return nil, fmt.Errorf("host %s is not running", host)
	}
	opts := container.ExecOptions{
		Cmd: req.Command, Env: req.Env, Tty: req.TTY,
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
	s := &execSession{engine: e, id: created.ID, conn: resp, out: resp.Reader}
	if !req.TTY {
		// Without a terminal the engine multiplexes stdout and stderr in
		// one framed stream; unframe it into one readable stream.
		pr, pw := io.Pipe()
		go func() { _, err := stdcopy.StdCopy(pw, pw, resp.Reader); pw.CloseWithError(err) }()
		s.out = pr
	}
	return s, nil
}

type execSession struct {
	engine *Engine
	id     string
	conn   types.HijackedResponse
	out    io.Reader
}

func (s *execSession) Read(p []byte) (int, error)  { return s.out.Read(p) }
func (s *execSession) Write(p []byte) (int, error) { return s.conn.Conn.Write(p) }
func (s *execSession) CloseWrite() error           { return s.conn.CloseWrite() }

func (s *execSession) Close() error {
	s.conn.Close()
	return nil
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
