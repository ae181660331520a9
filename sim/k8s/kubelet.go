package k8s

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/creack/pty"
	"github.com/gorilla/websocket"

	"github.com/sakimori/sakimori/sim/labkit"
)

func init() {
	labkit.Register("kubelet", runKubelet)
}

// podEnvHeader carries the environment of the pod a command runs in, as
// the API server resolved it from the pod's spec (plain values, and
// secrets' values), to the kubelet that runs the command.
const podEnvHeader = "X-Sakimori-Pod-Env"

// A lab host that plays a pod runs a kubelet's exec endpoint beside the
// pod's own process: sakimori-sim kubelet [-listen :10250] [-api-server HOST]
// [-pod-command JSON] MODE ARGS... The emulated API server sends `kubectl
// exec` for that pod to it (the world's `kubelets`), as kube-apiserver
// sends exec to the node's kubelet, so the trainee's commands run for
// real: a shell, ls, cat. Only the API server's address may call it; the
// command gets the pod's environment, not the host's, so no lab secret
// reaches the trainee. Given the pod's command line, it first takes it
// on as its own (procname.go).
func runKubelet(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("kubelet", flag.ContinueOnError)
	listen := fs.String("listen", ":10250", "the exec endpoint's address")
	apiServer := fs.String("api-server", os.Getenv("KUBELET_API_SERVER"), "the API server's host name (default $KUBELET_API_SERVER): only its addresses may call")
	podCommand := fs.String("pod-command", os.Getenv(podCommandEnv), "the pod's command line, a JSON list, to show as this process's (default $"+podCommandEnv+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *apiServer == "" {
		return errors.New("kubelet: -api-server is required")
	}
	if *podCommand != "" {
		command, err := parseCommand(*podCommand)
		if err != nil {
			return err
		}
		return becomePod(command, append([]string{"-listen", *listen, "-api-server", *apiServer}, fs.Args()...))
	}
	k := &Kubelet{Allowed: func(ip net.IP) bool { return resolvesTo(*apiServer, ip) }}
	errs := make(chan error, 2)
	go func() { errs <- labkit.Serve(ctx, *listen, k) }()
	if fs.NArg() > 0 {
		go func() {
			errs <- fmt.Errorf("the pod's process: %w", asError(labkit.Run(ctx, "sakimori-sim", fs.Args())))
		}()
	}
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return nil
	}
}

func asError(code int) error {
	if code == 0 {
		return nil
	}
	return labkit.ExitCode(code)
}

// resolvesTo reports whether host's addresses include ip; it asks each
// time, since a lab host's address is known only once the lab runs.
func resolvesTo(host string, ip net.IP) bool {
	addrs, err := net.LookupIP(host)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if a.Equal(ip) {
			return true
		}
	}
	return false
}

// Kubelet serves exec for the pods its host plays, over the websocket
// protocol kubectl speaks (v5.channel.k8s.io, or v4), which the API
// server passes through unchanged.
type Kubelet struct {
	Allowed func(net.IP) bool // who may call: the API server
}

func (k *Kubelet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !k.Allowed(ip) {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	// /exec/{namespace}/{pod}/{container}, the kubelet's own path.
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 4 || parts[0] != "exec" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	command := q["command"]
	if len(command) == 0 {
		http.Error(w, "you must specify at least one command for the container", http.StatusBadRequest)
		return
	}
	env := map[string]string{}
	if h := r.Header.Get(podEnvHeader); h != "" && json.Unmarshal([]byte(h), &env) != nil {
		http.Error(w, "bad pod environment", http.StatusBadRequest)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	s := &session{conn: conn}
	code, err := s.run(r.Context(), command, environ(env), q.Get("stdin") == "true", q.Get("tty") == "true")
	s.finish(command, code, err)
}

// environ is the command's environment, sorted so it lists the same way
// each time.
func environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// session is one exec: the websocket and its one writer at a time.
type session struct {
	conn *websocket.Conn
	mu   sync.Mutex
}

func (s *session) send(channel byte, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.conn.WriteMessage(websocket.BinaryMessage, append([]byte{channel}, b...))
}

// stream copies a process's output to a channel until it ends.
func (s *session) stream(channel byte, r io.Reader, done *sync.WaitGroup) {
	defer done.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			s.send(channel, buf[:n])
		}
		if err != nil {
			return
		}
	}
}

// The channels kubectl writes: stdin, a terminal's size, and (v5) the
// close of a stream.
const (
	chanStdin  = 0
	chanResize = 4
	chanClose  = 255
)

// run starts command and relays its streams; it returns the exit code.
func (s *session) run(ctx context.Context, command, env []string, stdin, tty bool) (int, error) {
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Env, cmd.Dir = env, "/"
	if home, err := os.UserHomeDir(); err == nil {
		cmd.Dir = home
	}
	var (
		in      io.WriteCloser
		outputs sync.WaitGroup
		term    *os.File
	)
	if tty {
		f, err := pty.Start(cmd)
		if err != nil {
			return 0, err
		}
		term, in = f, f
		outputs.Add(1)
		go s.stream(chanStdout, f, &outputs)
	} else {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, ended as one (a terminal's session is one already)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return 0, err
		}
		stderr, err := cmd.StderrPipe()
		if err != nil {
			return 0, err
		}
		if stdin {
			if in, err = cmd.StdinPipe(); err != nil {
				return 0, err
			}
		}
		if err := cmd.Start(); err != nil {
			return 0, err
		}
		outputs.Add(2)
		go s.stream(chanStdout, stdout, &outputs)
		go s.stream(chanStderr, stderr, &outputs)
	}
	go s.input(cmd, in, term)
	outputs.Wait() // all output read (a terminal's ends with the process)
	err := cmd.Wait()
	if term != nil {
		term.Close()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	return 0, err
}

// input relays kubectl's stdin and terminal sizes until the connection
// ends. A connection that ends before the command does means kubectl has
// gone (^C, a dropped network): the command is ended too, so no shell is
// left waiting on a terminal nobody holds.
func (s *session) input(cmd *exec.Cmd, in io.WriteCloser, term *os.File) {
	for {
		_, msg, err := s.conn.ReadMessage()
		if err != nil || len(msg) == 0 {
			if in != nil && term == nil {
				in.Close()
			}
			// Its whole group: a shell's children go with it. After the
			// command's own end this finds nothing, and does no harm.
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			return
		}
		switch msg[0] {
		case chanStdin:
			if in != nil {
				_, _ = in.Write(msg[1:])
			}
		case chanResize:
			var size struct{ Width, Height uint16 }
			if term != nil && json.Unmarshal(msg[1:], &size) == nil {
				_ = pty.Setsize(term, &pty.Winsize{Cols: size.Width, Rows: size.Height})
			}
		case chanClose:
			if len(msg) > 1 && msg[1] == chanStdin && in != nil && term == nil {
				in.Close()
			}
		}
	}
}

// finish sends the exec's status as the error channel carries it and
// closes the stream, as the kubelet does. A command that could not start
// fails as the container runtime reports it, not as a shell would.
func (s *session) finish(command []string, code int, err error) {
	status := execStatus(code)
	if err != nil {
		status = runtimeError(startCause(command[0], err))
	}
	s.send(chanError, status)
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
}

// startCause is runc's account of why it could not start name, which,
// like exec.Command, looks the name up in $PATH or stats the path given.
func startCause(name string, err error) string {
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Sprintf("exec: %q: executable file not found in $PATH", name)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("exec: %q: stat %s: no such file or directory", name, name)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("exec: %q: permission denied", name)
	case errors.As(err, &pathErr):
		return fmt.Sprintf("exec: %q: %v", name, pathErr.Err)
	}
	return err.Error()
}

// execStatus is the Status an exec ends with: Success, or a non-zero
// exit code in the shape kubectl reads it from.
func execStatus(code int) []byte {
	status := map[string]any{"metadata": map[string]any{}, "status": "Success"}
	if code != 0 {
		status = map[string]any{"metadata": map[string]any{}, "status": "Failure",
			"message": fmt.Sprintf("command terminated with non-zero exit code: exit status %d", code),
			"reason":  "NonZeroExitCode",
			"details": map[string]any{"causes": []any{map[string]any{"reason": "ExitCode", "message": fmt.Sprint(code)}}}}
	}
	b, _ := json.Marshal(status)
	return b
}
