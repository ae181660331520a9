package runner

import (
	"context"
	"net/netip"
	"os/user"
	"slices"
	"strconv"
	"time"
)

// watcher reports what one job's processes do, as an endpoint sensor on
// the runner would: each program they start and each TCP connection they
// make. It polls /proc, needing no kernel hooks and no privileges; the
// price is that a process that starts and ends between two looks is not
// seen.
type watcher struct {
	root   int // the job's bash, leader of its process group
	fields JobFields
	addrs  Addresses
	emit   func(event any)
	now    func() time.Time

	started map[execKey]bool
	conns   map[connKey]bool
	users   map[int]string
}

// execKey is one program a process runs: the pid and start time name the
// process, image and command line the program, so a process that executes
// another program is reported again, as Sysmon reports each exec.
type execKey struct {
	pid        int
	start      uint64
	image, cmd string
}

type connKey struct {
	pid    int
	start  uint64
	remote netip.AddrPort
}

func newWatcher(root int, fields JobFields, addrs Addresses, emit func(event any)) *watcher {
	return &watcher{root: root, fields: fields, addrs: addrs, emit: emit, now: time.Now,
		started: map[execKey]bool{}, conns: map[connKey]bool{}, users: map[int]string{}}
}

// watch looks at once, then every interval until ctx ends.
func (w *watcher) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		w.look()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// look reports what is new in the job's processes since the last look.
func (w *watcher) look() {
	stats := readStats()
	seen := map[int]*process{}
	read := func(pid int) *process {
		if p, ok := seen[pid]; ok {
			return p
		}
		var p *process
		if st, ok := stats[pid]; ok {
			if got, err := readProcess(pid, st); err == nil {
				p = &got
			}
		}
		seen[pid] = p
		return p
	}
	sockets := map[uint64]*process{}
	for _, pid := range jobTree(stats, w.root) {
		p := read(pid)
		if p == nil {
			continue
		}
		w.reportStart(p, read(p.stat.ppid))
		// A child inherits its parent's sockets; the connection is the
		// oldest holder's, which made it (the tree is oldest first).
		for _, inode := range socketInodes(pid) {
			if sockets[inode] == nil {
				sockets[inode] = p
			}
		}
	}
	if len(sockets) > 0 {
		w.reportConnections(tcpTables(), sockets)
	}
}

// jobTree lists the job's processes, oldest first: its bash, what
// descends from it, and whatever stays in the bash's process group after
// its parent exited and it was handed to init.
func jobTree(stats map[int]procStat, root int) []int {
	member := map[int]bool{}
	var in func(pid int) bool
	in = func(pid int) bool {
		if pid == root {
			return true
		}
		st, ok := stats[pid]
		if !ok || pid <= 1 {
			return false
		}
		if known, ok := member[pid]; ok {
			return known
		}
		member[pid] = false // a loop in a torn read ends here
		member[pid] = st.pgrp == root || in(st.ppid)
		return member[pid]
	}
	var out []int
	for pid := range stats {
		if in(pid) {
			out = append(out, pid)
		}
	}
	slices.SortFunc(out, func(a, b int) int {
		if c := compareUint(stats[a].start, stats[b].start); c != 0 {
			return c
		}
		return a - b
	})
	return out
}

func compareUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// reportStart reports p's program once. A child that bash has forked but
// that has not yet executed its program is a copy of its parent: it is
// left for a later look, when it shows what it runs.
func (w *watcher) reportStart(p, parent *process) {
	key := execKey{pid: p.pid, start: p.stat.start, image: p.image, cmd: p.cmd}
	if w.started[key] {
		return
	}
	if p.pid != w.root && parent != nil && parent.image == p.image && parent.cmd == p.cmd {
		return
	}
	w.started[key] = true
	e := ProcessCreation{
		JobFields: w.fields.at(w.now(), 1, processCreation, w.userName(p.uid)),
		ProcessID: p.pid, Image: p.image, CommandLine: p.cmd, CurrentDirectory: p.cwd,
		ParentProcessID: p.stat.ppid,
	}
	if parent != nil {
		e.ParentImage, e.ParentCommandLine = parent.image, parent.cmd
	}
	w.emit(e)
}

// reportConnections reports each established connection of the job's
// sockets once per process and remote end. A connection to a port that
// something here listens on came in, not out: Sysmon's event 3 is for
// the ones a process initiated.
func (w *watcher) reportConnections(table []tcpSocket, sockets map[uint64]*process) {
	listening := map[uint16]bool{}
	for _, s := range table {
		if s.state == tcpListen {
			listening[s.local.Port()] = true
		}
	}
	for _, s := range table {
		p := sockets[s.inode]
		if p == nil || s.state != tcpEstablished || listening[s.local.Port()] {
			continue
		}
		key := connKey{pid: p.pid, start: p.stat.start, remote: s.remote}
		if w.conns[key] {
			continue
		}
		w.conns[key] = true
		srcIP, _ := w.addrs.Public(s.local.Addr())
		dstIP, dstName := w.addrs.Public(s.remote.Addr())
		w.emit(NetworkConnection{
			JobFields: w.fields.at(w.now(), 3, networkConnection, w.userName(p.uid)),
			ProcessID: p.pid, Image: p.image, CommandLine: p.cmd,
			Protocol: "tcp", Initiated: "true",
			SourceIP: srcIP, SourcePort: int(s.local.Port()),
			DestinationIP: dstIP, DestinationHostname: dstName, DestinationPort: int(s.remote.Port()),
		})
	}
}

// userName names a uid as the runner's /etc/passwd does, or by number.
func (w *watcher) userName(uid int) string {
	if name, ok := w.users[uid]; ok {
		return name
	}
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	w.users[uid] = name
	return name
}
