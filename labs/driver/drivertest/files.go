package drivertest

import (
	"testing"

	"github.com/sakimori/sakimori/labs/driver"
)

// A host's files are in place when it starts: their contents, their
// modes, and owned by the host's user, so a trainee in it may edit them.
// Files on a read-only host are refused, not dropped.
func (s *suite) files(t *testing.T) {
	d := s.newDriver(t)
	spec := s.lab(t)
	box := &spec.Hosts[1] // runs as user 1000
	box.ReadOnly = false
	box.Files = []driver.HostFile{
		{Path: "/etc/lab/motd", Mode: 0o644, Data: []byte("welcome to the range\n")},
		{Path: "/opt/lab/check.sh", Mode: 0o755, Data: []byte("#!/bin/sh\necho checked\n")},
		{Path: "/opt/lab/frozen.txt", Mode: 0o444, Data: []byte("read me only\n")},
	}
	lab := launched(t, d, spec)
	running(t, d, lab.ID)
	for _, c := range []struct {
		cmd  []string
		out  string
		code int
	}{
		{[]string{"cat", "/etc/lab/motd"}, "welcome to the range\n", 0},
		{[]string{"cat", "/opt/lab/frozen.txt"}, "read me only\n", 0},
		{[]string{"test", "-x", "/opt/lab/check.sh"}, "", 0},
		{[]string{"test", "-x", "/etc/lab/motd"}, "", 1},
		{[]string{"test", "-w", "/etc/lab/motd"}, "", 0}, // the host's user owns it
		{[]string{"test", "-w", "/opt/lab/frozen.txt"}, "", 1},
		{[]string{"test", "-f", "/etc/lab/absent"}, "", 1},
	} {
		if out, code := run(t, d, lab.ID, "box", c.cmd...); out != c.out || code != c.code {
			t.Errorf("%q: exit %d, %q; want %d, %q", c.cmd, code, out, c.code, c.out)
		}
	}

	readOnly := s.lab(t)
	readOnly.Hosts[1].Files = box.Files
	destroyAtEnd(t, d, readOnly.ID)
	if err := d.Create(bg, readOnly); err == nil {
		t.Fatal("files on a read-only host: created")
	}
}
