package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// pipesGrace bounds the wait for output after a command has ended, when
// something it started in the background keeps its output open.
const pipesGrace = 2 * time.Second

// run runs a command in a process group of its own, its output to log,
// calling watch (when given) with its pid until it ends. When ctx ends,
// and when the command itself ends, the whole group is killed, so nothing
// a job left behind outlives it. The error names the exit code.
func run(ctx context.Context, dir string, env []string, log io.Writer, watch func(context.Context, int), name string, args ...string) (int, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = pipesGrace
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("(system failure) %v", err)
	}
	stopWatching := func() {}
	if watch != nil {
		watching, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			watch(watching, cmd.Process.Pid)
		}()
		stopWatching = func() { stop(); <-done }
	}
	err := cmd.Wait()
	stopWatching()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if cmd.ProcessState == nil {
		return 1, fmt.Errorf("(system failure) %v", err)
	}
	// An error with a state is the exit status itself, or output a
	// background process held open past pipesGrace: the status decides.
	if code := exitCode(cmd.ProcessState); code != 0 {
		return code, fmt.Errorf("exit code %d", code)
	}
	return 0, nil
}

// exitCode is the status as a shell gives it: 128 and the signal's number
// for a process a signal ended.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
