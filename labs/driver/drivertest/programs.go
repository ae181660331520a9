package drivertest

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sakimori/sakimori/labs/driver"
)

// Program is a command of the fake: it reads p.Stdin, writes p.Stdout and
// returns the exit code. It must return once ctx ends (the session was
// closed or the host destroyed).
//
// The fake knows echo, cat (its input, or one of the host's files), test
// -f, -x or -w of a host's file, true, false, env, pwd, id -u, stty size,
// sleep, and a small sh: `sh -c SCRIPT`, or a shell reading
// lines from its input, where a line is words separated by ";", with
// quotes, $NAME and ${NAME}, and exit and exec. Tests add their own with
// Handle.
type Program func(ctx context.Context, p *Process) int

// Process is one command running in a fake host.
type Process struct {
	Instance, Host   string
	Args             []string          // the command as asked, Args[0] its name
	Env              map[string]string // the host's, with the request's added
	User, WorkingDir string            // the host's
	Stdin            io.Reader
	Stdout           io.Writer // with a terminal, stderr too; line ends as a terminal's
	TTY              bool

	files []driver.HostFile // the host's, as it started with them
	size  func() (rows, cols uint)
	fake  *Fake
}

// Size is the terminal's size (zero without a terminal).
func (p *Process) Size() (rows, cols uint) { return p.size() }

// Handle makes name (a command's base name) run prog in every host of the
// runtime, in place of a program of that name the fake knows.
func (f *Fake) Handle(name string, prog Program) {
	f.rt.mu.Lock()
	f.rt.programs[name] = prog
	f.rt.mu.Unlock()
}

// Run runs args as a command in p's host, with p's input and output, and
// returns its exit code: a program the test handed to Handle, else one
// the fake knows, else 127.
func (p *Process) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		return 0
	}
	name := path.Base(args[0])
	p.fake.rt.mu.Lock()
	prog, ok := p.fake.rt.programs[name]
	p.fake.rt.mu.Unlock()
	if !ok {
		prog, ok = builtins[name]
	}
	if !ok {
		fmt.Fprintf(p.Stdout, "sh: %s: not found\n", name)
		return 127
	}
	sub := *p
	sub.Args = args
	return prog(ctx, &sub)
}

var builtins map[string]Program

func init() {
	builtins = map[string]Program{
		"true":  func(context.Context, *Process) int { return 0 },
		"false": func(context.Context, *Process) int { return 1 },
		"echo":  echo,
		"cat":   cat,
		"test":  test,
		"env":   env,
		"pwd":   pwd,
		"id":    id,
		"stty":  stty,
		"sleep": sleep,
		"sh":    sh,
	}
}

func echo(_ context.Context, p *Process) int {
	args, end := p.Args[1:], "\n"
	if len(args) > 0 && args[0] == "-n" {
		args, end = args[1:], ""
	}
	fmt.Fprint(p.Stdout, strings.Join(args, " ")+end)
	return 0
}

func cat(_ context.Context, p *Process) int {
	if len(p.Args) > 1 {
		f, ok := p.file(p.Args[1])
		if !ok {
			fmt.Fprintf(p.Stdout, "cat: %s: No such file or directory\n", p.Args[1])
			return 1
		}
		_, _ = p.Stdout.Write(f.Data)
		return 0
	}
	if _, err := io.Copy(p.Stdout, p.Stdin); err != nil {
		return 1
	}
	return 0
}

func env(_ context.Context, p *Process) int {
	lines := make([]string, 0, len(p.Env))
	for k, v := range p.Env {
		lines = append(lines, k+"="+v+"\n")
	}
	sort.Strings(lines)
	fmt.Fprint(p.Stdout, strings.Join(lines, ""))
	return 0
}

func pwd(_ context.Context, p *Process) int {
	dir := p.WorkingDir
	if dir == "" {
		dir = "/"
	}
	fmt.Fprintln(p.Stdout, dir)
	return 0
}

func id(_ context.Context, p *Process) int {
	uid, _, _ := strings.Cut(p.User, ":")
	if uid == "" {
		uid = "0"
	}
	if len(p.Args) > 1 && p.Args[1] == "-u" {
		fmt.Fprintln(p.Stdout, uid)
	} else {
		fmt.Fprintf(p.Stdout, "uid=%s\n", uid)
	}
	return 0
}

func stty(_ context.Context, p *Process) int {
	if !p.TTY {
		fmt.Fprintln(p.Stdout, "stty: standard input: Not a tty")
		return 1
	}
	rows, cols := p.Size()
	fmt.Fprintf(p.Stdout, "%d %d\n", rows, cols)
	return 0
}

func sleep(ctx context.Context, p *Process) int {
	d := time.Duration(1<<63 - 1) // "infinity", or anything unparsed
	if len(p.Args) > 1 {
		if secs, err := strconv.ParseFloat(p.Args[1], 64); err == nil {
			d = time.Duration(secs * float64(time.Second))
		}
	}
	select {
	case <-time.After(d):
		return 0
	case <-ctx.Done():
		return killed
	}
}

// exitsAtOnce reports whether a host command is `sh -c "exit N"`, and N.
func exitsAtOnce(cmd []string) (int, bool) {
	if len(cmd) != 3 || path.Base(cmd[0]) != "sh" || cmd[1] != "-c" {
		return 0, false
	}
	n, ok := strings.CutPrefix(strings.TrimSpace(cmd[2]), "exit ")
	code, err := strconv.Atoi(strings.TrimSpace(n))
	return code, ok && err == nil
}

// test answers -f (is a file), -x (may be run) and -w (may be written:
// the host's files are its user's) of one of the host's files.
func test(_ context.Context, p *Process) int {
	if len(p.Args) != 3 {
		return 2
	}
	f, ok := p.file(p.Args[2])
	if !ok {
		return 1
	}
	yes := map[string]bool{"-f": true, "-x": f.Mode&0o100 != 0, "-w": f.Mode&0o200 != 0}
	if yes[p.Args[1]] {
		return 0
	}
	return 1
}

// file finds one of the host's files by its path.
func (p *Process) file(name string) (driver.HostFile, bool) {
	for _, f := range p.files {
		if f.Path == name {
			return f, true
		}
	}
	return driver.HostFile{}, false
}
