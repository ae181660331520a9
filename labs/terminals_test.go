package labs_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/sakimori/sakimori/labs"
)

// twoTerminals is a lab with a terminal in each of two hosts.
var twoTerminals = fstest.MapFS{"pair/scenario.yaml": {Data: []byte(`
id: pair
version: 1
title: Pair
difficulty: beginner
time_limit: 10m
networks: [{name: net}]
hosts:
  - name: attacker
    image: sakimori-lab/base:latest
    terminal: true
    networks: [net]
  - name: target
    image: sakimori-lab/base:latest
    terminal: true
    networks: [net]
  - name: quiet
    image: sakimori-lab/base:latest
    networks: [net]
`)}, "pair/text.ja.yaml": {Data: []byte("title: ペア\n")}}

// A scenario may open terminals in several hosts: a shell opens in each
// of them, in the first when none is named, and in no other host.
func TestATerminalOpensInEachTerminalHost(t *testing.T) {
	r := newRangeFrom(t, fake(), 26, 10, twoTerminals)
	sc, err := r.svc.Catalogue().Scenario("pair")
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.TerminalHosts(); len(got) != 2 || got[0] != "attacker" || got[1] != "target" || sc.TerminalHost() != "attacker" {
		t.Fatalf("terminal hosts %v, first %q", got, sc.TerminalHost())
	}
	inst, err := r.svc.Launch(bg, "alice", "pair")
	if err != nil {
		t.Fatal(err)
	}
	r.waitState(t, inst.ID, labs.StateRunning)
	for _, host := range []string{"", "attacker", "target"} {
		shell, err := r.svc.OpenTerminal(bg, alice, inst.ID, host, "", 24, 80)
		if err != nil {
			t.Fatalf("terminal in %q: %v", host, err)
		}
		shell.Close()
	}
	for _, host := range []string{"quiet", "elsewhere"} {
		if _, err := r.svc.OpenTerminal(bg, alice, inst.ID, host, "", 24, 80); !errors.Is(err, labs.ErrNoTerminalHost) {
			t.Errorf("terminal in %q: %v, want ErrNoTerminalHost", host, err)
		}
	}
}
