package labs

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestRefusalsArePlaced: each hostile or broken manifest is refused, and
// the problem carries its line and column besides its field path.
func TestRefusalsArePlaced(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n" + valid
	manyHosts := strings.Replace(valid, "hosts:\n", "hosts:\n"+strings.Repeat("  - {name: extra}\n", 10_000), 1)
	manyValues := "attack: [" + strings.Repeat("T1000, ", MaxYAMLNodes) + "T1000]\n" + valid
	cases := []struct {
		name, manifest, path, message string
		line, column                  int
	}{
		{"alias bomb", bomb, "", "alias *a", 2, 8},
		{"any alias", "x: &n [dmz]" + strings.Replace(valid, "networks: [dmz]", "networks: *n", 1), "", "aliases are not allowed", 13, 15},
		{"ten megabytes", valid + "# " + strings.Repeat("x", 10<<20) + "\n", "", "at most 1048576", 1, 1},
		{"nested a thousand deep", "story: " + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + "\n" + valid, "", "nested more than 32 levels", 1, 39},
		{"too many values", manyValues, "", "more than 50000 values", 1, 10 + 7*(MaxYAMLNodes-4)},
		{"ten thousand hosts", manyHosts, "hosts", "at most 8 hosts", 9, 1},
		{"unknown field", strings.Replace(valid, "difficulty: beginner", "difficulty: beginner\nprivileged_mode: true", 1), "", `unknown field "privileged_mode"`, 6, 1},
		{"unknown host field", strings.Replace(valid, "terminal: true", "terminal: true\n    cap_add: [SYS_ADMIN]", 1), "", `unknown field "cap_add"`, 13, 5},
		{"not a duration", strings.Replace(valid, "time_limit: 30m", "time_limit: soon", 1), "", "not a duration", 6, 13},
		{"privileged", strings.Replace(valid, "terminal: true", "terminal: true\n    privileged: true", 1), "hosts[0].privileged", "never allowed", 13, 5},
		{"host network", strings.Replace(valid, "terminal: true", "terminal: true\n    network_mode: host", 1), "hosts[0].network_mode", "own internal networks", 13, 5},
		{"mounts", strings.Replace(valid, "terminal: true", "terminal: true\n    mounts: ['/:/host']", 1), "hosts[0].mounts", "host mounts", 13, 5},
		{"capability", strings.Replace(valid, "terminal: true", "terminal: true\n    capabilities: [CHOWN, NET_ADMIN]", 1), "hosts[0].capabilities[1]", "NET_ADMIN is not allowed", 13, 27},
		{"memory", strings.Replace(valid, "terminal: true", "terminal: true\n    resources: {memory: 2GiB}", 1), "hosts[0].resources.memory", "at most 1GiB", 13, 17},
		{"cpus", strings.Replace(valid, "terminal: true", "terminal: true\n    resources: {cpus: 3}", 1), "hosts[0].resources.cpus", "at most 2", 13, 17},
		{"env variable", strings.Replace(valid, "${var.flag}", "${var.nope}", 1), "hosts[0].env.FLAG", "not declared", 14, 11},
		{"missing field is placed at its parent", strings.Replace(valid, "title: Sample\n", "", 1), "title", "required", 2, 1},
		{"objective", strings.Replace(valid, "track: attack", "track: offence", 1), "objectives[0].track", "attack or defence", 16, 29},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(tc.manifest), "case.yaml")
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("accepted (err %v)", err)
			}
			if len(me.Problems) > MaxProblems+1 {
				t.Fatalf("%d problems reported", len(me.Problems))
			}
			for _, p := range me.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					if p.Line != tc.line || p.Column != tc.column {
						t.Fatalf("%q at line %d column %d, want %d:%d", p.Message, p.Line, p.Column, tc.line, tc.column)
					}
					if !strings.Contains(p.String(), fmt.Sprintf("(line %d, column %d)", tc.line, tc.column)) {
						t.Fatalf("String() %q does not give the position", p.String())
					}
					return
				}
			}
			t.Fatalf("no problem at %q mentioning %q; got:\n%v", tc.path, tc.message, clipError(me))
		})
	}
}

func clipError(me *ManifestError) string {
	s := me.Error()
	if len(s) > 4000 {
		return s[:4000]
	}
	return s
}

// Every problem the validator finds in a manifest has a position.
func TestEveryProblemHasAPosition(t *testing.T) {
	bad := strings.NewReplacer("id: sample", "id: X", "networks: [dmz]", "networks: [nowhere]", "attack: [T1552.005]", "attack: [T1]").Replace(valid)
	_, err := ParseScenario([]byte(bad), "bad.yaml")
	var me *ManifestError
	if !errors.As(err, &me) || len(me.Problems) < 3 {
		t.Fatalf("%v", err)
	}
	for _, p := range me.Problems {
		if p.Line < 1 || p.Column < 1 {
			t.Errorf("%s has no position", p)
		}
	}
}

// A problem in a solution kept in solution.yaml is placed in that file.
func TestSolutionProblemsArePlacedInTheirFile(t *testing.T) {
	_, err := ParseScenarioWithSolution([]byte(valid), []byte("- objective: get-flag\n  answer: x\n- objective: nope\n  answer: y\n"), "case.yaml")
	var me *ManifestError
	if !errors.As(err, &me) || len(me.Problems) != 1 {
		t.Fatalf("%v", err)
	}
	p := me.Problems[0]
	if p.Path != "solution[1].objective" || p.File != "solution.yaml" || p.Line != 3 || p.Column != 3 {
		t.Fatalf("%+v", p)
	}
}
