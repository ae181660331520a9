package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// procRoot is the proc file system, where the runner sees its jobs'
// processes as an endpoint sensor does.
const procRoot = "/proc"

// maxCommandLine bounds a command line in an event, as Sysmon does.
const maxCommandLine = 4096

// procStat is what the runner needs of /proc/PID/stat.
type procStat struct {
	ppid, pgrp int
	start      uint64 // clock ticks after boot: with the pid, one process
}

// parseStat reads /proc/PID/stat. The command name in parentheses may hold
// spaces and parentheses itself, so the fields are counted from the last
// closing one.
func parseStat(b []byte) (procStat, error) {
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return procStat{}, fmt.Errorf("stat %q has no command name", b)
	}
	f := strings.Fields(string(b[end+1:]))
	// f[0] is field 3 (state): ppid is 4, pgrp 5, starttime 22.
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("stat has %d fields after the name", len(f))
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	start, err3 := strconv.ParseUint(f[19], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return procStat{}, fmt.Errorf("stat fields %q", f[:20])
	}
	return procStat{ppid: ppid, pgrp: pgrp, start: start}, nil
}

// commandLine turns /proc/PID/cmdline (arguments ending in NULs) into one
// line, cut to maxCommandLine characters.
func commandLine(raw []byte) string {
	s := string(bytes.ReplaceAll(bytes.TrimRight(raw, "\x00"), []byte{0}, []byte{' '}))
	if len(s) > maxCommandLine { // bytes first: most lines are short
		if r := []rune(s); len(r) > maxCommandLine {
			s = string(r[:maxCommandLine])
		}
	}
	return s
}

// effectiveUID reads the Uid line of /proc/PID/status: real, effective,
// saved, file system. The effective one is whose rights the process uses.
func effectiveUID(status []byte) (int, error) {
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte("Uid:")); ok {
			f := strings.Fields(string(rest))
			if len(f) < 2 {
				break
			}
			return strconv.Atoi(f[1])
		}
	}
	return 0, fmt.Errorf("status has no Uid line")
}

// process is one process as /proc shows it at a moment.
type process struct {
	pid   int
	stat  procStat
	image string // the executable's path
	cmd   string
	cwd   string
	uid   int
}

// readProcess reads pid's image, command line, directory and user. A
// process that exits while it is read is an error; one whose executable
// cannot be read (another user's, or non-dumpable) is named by argv[0].
func readProcess(pid int, st procStat) (process, error) {
	dir := filepath.Join(procRoot, strconv.Itoa(pid))
	p := process{pid: pid, stat: st}
	raw, err := os.ReadFile(filepath.Join(dir, "cmdline"))
	if err != nil {
		return p, err
	}
	p.cmd = commandLine(raw)
	if p.image, err = os.Readlink(filepath.Join(dir, "exe")); err != nil {
		p.image, _, _ = strings.Cut(p.cmd, " ")
	}
	p.cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return p, err
	}
	p.uid, err = effectiveUID(status)
	return p, err
}

// readStats reads the stat of every process there is.
func readStats() map[int]procStat {
	out := map[int]procStat{}
	entries, _ := os.ReadDir(procRoot)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "stat"))
		if err != nil {
			continue // it has exited since the listing
		}
		if st, err := parseStat(b); err == nil {
			out[pid] = st
		}
	}
	return out
}

// socketInodes lists the inodes of pid's open sockets, which the TCP
// tables name their sockets by.
func socketInodes(pid int) []uint64 {
	dir := filepath.Join(procRoot, strconv.Itoa(pid), "fd")
	fds, _ := os.ReadDir(dir)
	var out []uint64
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(dir, fd.Name()))
		if err != nil {
			continue
		}
		if s, ok := strings.CutPrefix(target, "socket:["); ok {
			if inode, err := strconv.ParseUint(strings.TrimSuffix(s, "]"), 10, 64); err == nil {
				out = append(out, inode)
			}
		}
	}
	return out
}

// tcpTables reads the TCP sockets of this network namespace, IPv4 and,
// where the kernel has it, IPv6.
func tcpTables() []tcpSocket {
	var out []tcpSocket
	for _, name := range []string{"net/tcp", "net/tcp6"} {
		if b, err := os.ReadFile(filepath.Join(procRoot, name)); err == nil {
			out = append(out, parseTCP(b)...)
		}
	}
	return out
}
