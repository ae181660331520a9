package main

import (
	"slices"
	"testing"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Every mode, app and script the built-in scenarios' manifests name is in
// the binary (a scenario whose import line is missing fails here, not in
// a lab).
func TestTheBinaryHoldsWhatTheScenariosRun(t *testing.T) {
	want := map[string][]string{
		"mode":   {"cloud", "instance", "git", "traffic", "probe", "trail", "opendb"},
		"app":    {"fetcher"},
		"script": {"heist-users", "heist-intruder", "leak-ci", "leak-intruder", "open-users", "open-intruder"},
	}
	have := map[string][]string{"mode": labkit.Modes(), "app": labkit.Apps(), "script": labkit.Scripts()}
	for kind, names := range want {
		for _, n := range names {
			if !slices.Contains(have[kind], n) {
				t.Errorf("no %s %q (have %v)", kind, n, have[kind])
			}
		}
	}
}
