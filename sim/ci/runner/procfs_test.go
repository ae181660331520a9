package runner

import (
	"strings"
	"testing"
)

func TestParseStatCountsFieldsFromTheLastParenthesis(t *testing.T) {
	// A program may name itself anything, parentheses and spaces included.
	line := "4242 (evil) 1 2 (x) S 4200 4100 4100 0 -1 4194560 180 0 0 0 0 0 0 0 20 0 1 0 7654321 10000 100 18446744073709551615\n"
	st, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st != (procStat{ppid: 4200, pgrp: 4100, start: 7654321}) {
		t.Errorf("read %+v", st)
	}
	for _, bad := range []string{"4242 no name", "4242 (bash) S 1 2 3"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}

func TestCommandLine(t *testing.T) {
	if got := commandLine([]byte("curl\x00-s\x00http://uploader.coverlytics.example/bash\x00")); got != "curl -s http://uploader.coverlytics.example/bash" {
		t.Errorf("got %q", got)
	}
	long := commandLine([]byte("bash\x00-c\x00" + strings.Repeat("é", 5000) + "\x00"))
	if n := len([]rune(long)); n != maxCommandLine {
		t.Errorf("a long command line is %d characters, want %d", n, maxCommandLine)
	}
	if !strings.HasPrefix(long, "bash -c éé") {
		t.Errorf("cut from the wrong end: %.20q", long)
	}
}

func TestEffectiveUID(t *testing.T) {
	status := "Name:\tsudo\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n"
	if uid, err := effectiveUID([]byte(status)); err != nil || uid != 0 {
		t.Errorf("uid %d, %v; want the effective 0", uid, err)
	}
	if _, err := effectiveUID([]byte("Name:\tx\n")); err == nil {
		t.Error("a status without Uid read without an error")
	}
}

func TestJobTree(t *testing.T) {
	const root = 100
	stats := map[int]procStat{
		1:   {ppid: 0, pgrp: 1},
		90:  {ppid: 1, pgrp: 90},               // the runner
		100: {ppid: 90, pgrp: 100, start: 10},  // the job's bash
		101: {ppid: 100, pgrp: 100, start: 11}, // a line's curl
		102: {ppid: 101, pgrp: 102, start: 12}, // left the group, still a descendant
		103: {ppid: 1, pgrp: 100, start: 13},   // its parent ended: handed to init, still in the group
		104: {ppid: 90, pgrp: 90, start: 14},   // the runner's other child
		105: {ppid: 106, pgrp: 105},            // a loop of a torn read
		106: {ppid: 105, pgrp: 106},
	}
	got := jobTree(stats, root)
	want := []int{100, 101, 102, 103}
	if len(got) != len(want) {
		t.Fatalf("tree %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tree %v, want %v (oldest first)", got, want)
		}
	}
}
