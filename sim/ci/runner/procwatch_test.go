package runner

import (
	"net/netip"
	"testing"
	"time"
)

func testWatcher(root int, got *collected) *watcher {
	addrs, _ := ParseAddresses(`{"10.0.2.15": {"ip": "35.170.12.4", "name": "runner.acme.example"},
		"10.0.2.9": {"ip": "104.248.94.23", "name": "uploads.coverlytics-io.example"}}`)
	w := newWatcher(root, JobFields{Computer: "runner", Project: "acme/api", Pipeline: 42, Job: 17}, addrs, got.add)
	w.now = func() time.Time { return time.Date(2021, 4, 1, 9, 30, 0, 123e6, time.UTC) }
	return w
}

// A process is reported when it runs a program of its own: a child bash
// has forked and not yet executed is a copy of its parent, and shows what
// it runs at a later look.
func TestWatcherReportsEachProgramOnce(t *testing.T) {
	var got collected
	w := testWatcher(100, &got)
	runner := &process{pid: 90, image: "/usr/local/bin/sakimori-sim", cmd: "sakimori-sim ci-runner"}
	bash := &process{pid: 100, stat: procStat{ppid: 90, pgrp: 100, start: 10}, image: "/usr/bin/bash", cmd: "bash --noprofile --norc -eo pipefail script.sh", cwd: "/tmp/builds/acme/api"}
	forked := &process{pid: 101, stat: procStat{ppid: 100, pgrp: 100, start: 11}, image: bash.image, cmd: bash.cmd, cwd: bash.cwd}
	curl := *forked
	curl.image, curl.cmd = "/usr/bin/curl", "curl -s https://uploader.coverlytics.example/bash"
	sh := curl
	sh.image, sh.cmd = "/usr/bin/dash", "sh -c env"

	w.reportStart(bash, runner)
	w.reportStart(forked, bash)
	w.reportStart(bash, runner)
	w.reportStart(&curl, bash)
	w.reportStart(&curl, bash)
	w.reportStart(&sh, bash) // the same process executing another program
	want := []ProcessCreation{
		{JobFields: JobFields{UtcTime: "2021-04-01 09:30:00.123", EventID: 1, Category: "process_creation", Computer: "runner", Project: "acme/api", Pipeline: 42, Job: 17},
			ProcessID: 100, Image: bash.image, CommandLine: bash.cmd, CurrentDirectory: bash.cwd, ParentProcessID: 90, ParentImage: runner.image, ParentCommandLine: runner.cmd},
		{ProcessID: 101, Image: curl.image, CommandLine: curl.cmd, CurrentDirectory: bash.cwd, ParentProcessID: 100, ParentImage: bash.image, ParentCommandLine: bash.cmd},
		{ProcessID: 101, Image: sh.image, CommandLine: sh.cmd, CurrentDirectory: bash.cwd, ParentProcessID: 100, ParentImage: bash.image, ParentCommandLine: bash.cmd},
	}
	if len(got.events) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got.events), len(want), got.events)
	}
	for i, e := range got.events {
		pc := e.(ProcessCreation)
		want[i].JobFields = want[0].JobFields
		want[i].User = pc.User
		if pc != want[i] {
			t.Errorf("event %d\n got %+v\nwant %+v", i, pc, want[i])
		}
	}
}

// Only connections a job's process made are reported, each once per
// process and remote end; one that came in to a port something here
// listens on, and one still being attempted, are not.
func TestWatcherReportsConnectionsMadeOnce(t *testing.T) {
	var got collected
	w := testWatcher(100, &got)
	curl := &process{pid: 101, stat: procStat{start: 11}, image: "/usr/bin/curl", cmd: "curl -s -X POST https://uploads.coverlytics-io.example/upload/v2"}
	server := &process{pid: 102, stat: procStat{start: 12}, image: "/usr/bin/python3", cmd: "python3 -m http.server 8000"}
	ap := netip.MustParseAddrPort
	table := []tcpSocket{
		{local: ap("0.0.0.0:8000"), remote: ap("0.0.0.0:0"), state: tcpListen, inode: 1},
		{local: ap("10.0.2.15:8000"), remote: ap("10.0.2.7:51000"), state: tcpEstablished, inode: 2}, // came in
		{local: ap("10.0.2.15:42178"), remote: ap("10.0.2.9:443"), state: tcpEstablished, inode: 3},
		{local: ap("10.0.2.15:42180"), remote: ap("10.0.2.9:443"), state: tcpEstablished, inode: 4}, // a second to the same end
		{local: ap("10.0.2.15:42182"), remote: ap("10.0.2.8:443"), state: 0x02, inode: 5},           // not yet connected
		{local: ap("[::ffff:10.0.2.15]:42184"), remote: ap("[::ffff:10.0.2.10]:80"), state: tcpEstablished, inode: 6},
		{local: ap("10.0.2.15:42186"), remote: ap("10.0.2.11:80"), state: tcpEstablished, inode: 7}, // another process's
	}
	sockets := map[uint64]*process{1: server, 2: server, 3: curl, 4: curl, 5: curl, 6: curl}
	w.reportConnections(table, sockets)
	w.reportConnections(table, sockets)
	type seen struct {
		pid, srcPort, dstPort int
		src, dst, name        string
	}
	want := []seen{
		{101, 42178, 443, "35.170.12.4", "104.248.94.23", "uploads.coverlytics-io.example"},
		{101, 42184, 80, "35.170.12.4", "10.0.2.10", ""},
	}
	if len(got.events) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got.events), len(want), got.events)
	}
	for i, e := range got.events {
		nc := e.(NetworkConnection)
		s := seen{nc.ProcessID, nc.SourcePort, nc.DestinationPort, nc.SourceIP, nc.DestinationIP, nc.DestinationHostname}
		if s != want[i] || nc.Image != curl.image || nc.CommandLine != curl.cmd || nc.Protocol != "tcp" || nc.Initiated != "true" ||
			nc.EventID != 3 || nc.Category != "network_connection" || nc.Job != 17 {
			t.Errorf("event %d: %+v, want %+v", i, nc, want[i])
		}
	}
}
