package labs

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/scenarios"
)

// valid is a small, correct manifest each case below breaks one way.
const valid = `
id: sample
version: 1
title: Sample
difficulty: beginner
time_limit: 30m
attack: [T1552.005]
networks: [{name: dmz}]
hosts:
  - name: box
    image: sakimori-lab/base:latest
    terminal: true
    networks: [dmz]
    env: {FLAG: "${var.flag}", PEER: "${host.box}"}
variables: [{name: flag, kind: flag}]
objectives: [{id: get-flag, track: attack, kind: flag, points: 50, variable: flag}]
hints: [{id: h1, objective: get-flag, text: look around, cost: 5}]
`

func TestValidManifestParses(t *testing.T) {
	s, err := ParseScenario([]byte(valid), "sample.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.TerminalHost() != "box" || len(s.Hosts[0].Env) != 2 {
		t.Fatalf("parsed %+v", s)
	}
}

// TestEveryRuleNamesItsField: each bad manifest is refused with the path of
// the field at fault and a message that says why.
func TestEveryRuleNamesItsField(t *testing.T) {
	cases := []struct {
		name, from, to, path, message string
	}{
		{"bad id", "id: sample", "id: Sample!", "id", "a-z"},
		{"no title", "title: Sample", "title: ''", "title", "required"},
		{"bad difficulty", "difficulty: beginner", "difficulty: trivial", "difficulty", "beginner"},
		{"time limit", "time_limit: 30m", "time_limit: 1m", "time_limit", "between"},
		{"not a duration", "time_limit: 30m", "time_limit: soon", "", "not a duration"},
		{"technique id", "attack: [T1552.005]", "attack: [T15]", "attack[0]", "ATT&CK"},
		{"no networks", "networks: [{name: dmz}]", "networks: []", "networks", "at least one"},
		{"unknown network", "networks: [dmz]", "networks: [nowhere]", "hosts[0].networks[0]", "no network"},
		{"privileged", "terminal: true", "terminal: true\n    privileged: true", "hosts[0].privileged", "never allowed"},
		{"host mount", "terminal: true", "terminal: true\n    volumes: ['/etc:/host-etc']", "hosts[0].volumes", "host mounts"},
		{"engine socket", "terminal: true", "terminal: true\n    volumes: ['/var/run/docker.sock:/var/run/docker.sock']", "hosts[0].volumes", "engine's socket"},
		{"alias not a name", "terminal: true", "terminal: true\n    aliases: [Uploader]", "hosts[0].aliases[0]", "DNS name"},
		{"alias twice", "terminal: true", "terminal: true\n    aliases: [cdn.vendor.example, cdn.vendor.example]", "hosts[0].aliases[1]", "used twice"},
		{"host network", "terminal: true", "terminal: true\n    network_mode: host", "hosts[0].network_mode", "own internal networks"},
		{"host pid", "terminal: true", "terminal: true\n    pid: host", "hosts[0].pid", "namespace"},
		{"devices", "terminal: true", "terminal: true\n    devices: [/dev/kmsg]", "hosts[0].devices", "devices"},
		{"unconfined", "terminal: true", "terminal: true\n    security_opt: [seccomp=unconfined]", "hosts[0].security_opt", "fixed by the platform"},
		{"root user", "terminal: true", "terminal: true\n    user: root", "hosts[0].user", "root"},
		{"dangerous capability", "terminal: true", "terminal: true\n    capabilities: [NET_BIND_SERVICE, SYS_ADMIN]", "hosts[0].capabilities[1]", "SYS_ADMIN is not allowed"},
		{"unknown capability", "terminal: true", "terminal: true\n    capabilities: [FLY]", "hosts[0].capabilities[0]", "not a Linux capability"},
		{"memory", "terminal: true", "terminal: true\n    resources: {memory: 4GiB}", "hosts[0].resources.memory", "at most 1GiB"},
		{"cpus", "terminal: true", "terminal: true\n    resources: {cpus: 8}", "hosts[0].resources.cpus", "at most 2"},
		{"tmpfs path", "terminal: true", "terminal: true\n    tmpfs: {'../etc': 1MiB}", "hosts[0].tmpfs", "absolute path"},
		{"bad size", "terminal: true", "terminal: true\n    tmpfs: {/tmp: lots}", "", "not a size"},
		{"loopback not link-local", "terminal: true", "terminal: true\n    loopback_addresses: [10.0.0.1]", "hosts[0].loopback_addresses[0]", "link-local"},
		{"files on a read-only root", "terminal: true", "terminal: true\n    files: [{source: files/motd, path: /etc/motd}]", "hosts[0].files", "writable_root: true"},
		{"file source outside files/", "terminal: true", "terminal: true\n    writable_root: true\n    files: [{source: ../secret, path: /etc/motd}]", "hosts[0].files[0].source", "under files/"},
		{"file path relative", "terminal: true", "terminal: true\n    writable_root: true\n    files: [{source: files/motd, path: etc/motd}]", "hosts[0].files[0].path", "absolute, clean"},
		{"file path climbs", "terminal: true", "terminal: true\n    writable_root: true\n    files: [{source: files/motd, path: /etc/../proc/x}]", "hosts[0].files[0].path", "absolute, clean"},
		{"file into /proc", "terminal: true", "terminal: true\n    writable_root: true\n    files: [{source: files/motd, path: /proc/sysrq-trigger}]", "hosts[0].files[0].path", "under /proc"},
		{"file under tmpfs", "terminal: true", "terminal: true\n    writable_root: true\n    tmpfs: {/run: 1MiB}\n    files: [{source: files/motd, path: /run/motd}]", "hosts[0].files[0].path", "tmpfs /run"},
		{"file given twice", "terminal: true", "terminal: true\n    writable_root: true\n    files: [{source: files/a, path: /etc/motd}, {source: files/b, path: /etc/motd}]", "hosts[0].files[1].path", "given twice"},
		{"setuid file", "terminal: true", "terminal: true\n    writable_root: true\n    files: [{source: files/motd, path: /usr/bin/x, mode: '4755'}]", "hosts[0].files[0].mode", "setuid"},
		{"file mode not octal", "terminal: true", "terminal: true\n    writable_root: true\n    files: [{source: files/motd, path: /etc/motd, mode: rwx}]", "hosts[0].files[0].mode", "octal"},
		{"solution objective", "hints: [", "solution: [{objective: nope, answer: x}]\nhints: [", "solution[0].objective", "no objective"},
		{"solution without action", "hints: [", "solution: [{objective: get-flag}]\nhints: [", "solution[0]", "run or answer"},
		{"solution host", "hints: [", "solution: [{objective: get-flag, run: 'true', host: db}]\nhints: [", "solution[0].host", "no such host"},
		{"port", "terminal: true", "terminal: true\n    ports: [{port: 70000}]", "hosts[0].ports[0].port", "1–65535"},
		{"no terminal", "terminal: true", "terminal: false", "hosts", "one to 3 hosts must have terminal: true (it has 0)"},
		{"undeclared variable", `FLAG: "${var.flag}"`, `FLAG: "${var.secret}"`, "hosts[0].env.FLAG", "not declared"},
		{"unknown host ref", `PEER: "${host.box}"`, `PEER: "${host.db}"`, "hosts[0].env.PEER", "no such host"},
		{"reference in a command", "terminal: true", "terminal: true\n    command: [curl, 'http://${host.box}/']", "hosts[0].command[1]", "filled in env only"},
		{"bad image", "image: sakimori-lab/base:latest", "image: 'UPPER case'", "hosts[0].image", "image reference"},
		{"variable kind", "kind: flag}]\nobjectives", "kind: wizard}]\nobjectives", "variables[0].kind", "must be one of"},
		{"flag objective variable", "variable: flag}]", "variable: nope}]", "objectives[0].variable", "kind flag"},
		{"flag with nothing to match", ", variable: flag}]", "}]", "objectives[0]", "variable or lists static answers"},
		{"question without answers", "kind: flag, points: 50, variable: flag}]", "kind: question, points: 50}]", "objectives[0].answers", "accepted answers"},
		{"bad regex", ", variable: flag}]", ", answers: ['FLAG{[a-z+'], match: regex}]", "objectives[0].answers[0]", "regular expression"},
		{"not a number", "kind: flag, points: 50, variable: flag}]", "kind: question, points: 50, answers: [ten], match: numeric}]", "objectives[0].answers[0]", "not a number"},
		{"decay", "variable: flag}]", "variable: flag, dynamic: {minimum: 80, decay: 0}}]", "objectives[0].dynamic", "decay at least 1"},
		{"detection without events", "kind: flag, points: 50, variable: flag}]", "kind: detection, points: 50}]", "objectives[0]", "malicious_events and benign_events"},
		{"answer not among choices", "kind: flag, points: 50, variable: flag}]", "kind: question, points: 50, answers: [b], choices: [a, c]}]", "objectives[0].answers[0]", "not one of the choices"},
		{"choices on a flag", ", variable: flag}]", ", variable: flag, choices: [a]}]", "objectives[0].choices", "only questions"},
		{"time bonus", ", variable: flag}]", ", variable: flag, time_bonus: {within: 10m, points: -5}}]", "objectives[0].time_bonus", "positive within"},
		{"unknown match", ", variable: flag}]", ", variable: flag, match: fuzzy}]", "objectives[0].match", "exact, case_insensitive"},
		{"track", "track: attack", "track: offence", "objectives[0].track", "attack or defence"},
		{"live events on a flag", ", variable: flag}]", ", variable: flag, live_events: {host: box, command: [cat], truth: x}}]", "objectives[0].live_events", "only detection"},
		{"unknown kind", "kind: flag, points: 50, variable: flag}]", "kind: puzzle, points: 50, variable: flag}]", "objectives[0].kind", "must be one of flag, question, check, detection"},
		{"variable on a question", "kind: flag, points: 50, variable: flag}]", "kind: question, points: 50, variable: flag, answers: [x]}]", "objectives[0].variable", "only flag objectives"},
		{"hint target", "objective: get-flag", "objective: missing", "hints[0].objective", "no objective"},
		{"unknown key", "difficulty: beginner", "difficulty: beginner\nprivileged_mode: true", "", `unknown field "privileged_mode"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(valid, tc.from) {
				t.Fatalf("test bug: %q not in the sample", tc.from)
			}
			_, err := ParseScenario([]byte(strings.Replace(valid, tc.from, tc.to, 1)), "case.yaml")
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("accepted (err %v)", err)
			}
			for _, p := range me.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Fatalf("no problem at %q mentioning %q; got:\n%v", tc.path, tc.message, me)
		})
	}
}

// A detection whose truth rule misses the scenario's own attack events is
// refused when the scenario loads, at the path of the rule: scoring's
// problems come back among the manifest's own.
func TestDetectionTruthIsCheckedAtLoad(t *testing.T) {
	detection := `objectives:
  - {id: get-flag, track: attack, kind: flag, points: 50, variable: flag}
  - id: detect
    track: defence
    kind: detection
    live_events: {host: box, command: [cat, /log], truth: "detection: {sel: {eventName: DeleteBucket}, condition: sel}"}
    malicious_events: [{eventName: GetObject}]
    benign_events: [{eventName: ListBuckets}]
hints:`
	_, err := ParseScenario([]byte(strings.Replace(valid, "objectives: [{id: get-flag, track: attack, kind: flag, points: 50, variable: flag}]\nhints:", detection, 1)), "case.yaml")
	var me *ManifestError
	if !errors.As(err, &me) || len(me.Problems) != 1 || me.Problems[0].Path != "objectives[1].live_events.truth" ||
		!strings.Contains(me.Problems[0].Message, "matches none of the scenario's attack events") {
		t.Fatalf("want one problem at objectives[1].live_events.truth, got %v", err)
	}
}

func TestAllProblemsAreReportedAtOnce(t *testing.T) {
	bad := strings.NewReplacer("id: sample", "id: X", "difficulty: beginner", "difficulty: x", "time_limit: 30m", "time_limit: 9h").Replace(valid)
	_, err := ParseScenario([]byte(bad), "bad.yaml")
	var me *ManifestError
	if !errors.As(err, &me) || len(me.Problems) != 3 {
		t.Fatalf("want 3 problems at once, got %v", err)
	}
}

func TestBuiltInCatalogueIsValid(t *testing.T) {
	c, err := LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.All()) == 0 {
		t.Fatal("no built-in scenarios")
	}
	s, err := c.Scenario("orientation")
	if err != nil || len(s.Hosts) != 3 || len(s.Networks) != 2 {
		t.Fatalf("orientation: %+v, %v", s, err)
	}
	if _, err := c.Scenario("../etc"); !errors.Is(err, ErrScenarioNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestVariablesArePerInstanceAndReproducible(t *testing.T) {
	s, _ := ParseScenario([]byte(valid), "sample.yaml")
	s.Variables = append(s.Variables, VariableDef{Name: "pw", Kind: "password"},
		VariableDef{Name: "key", Kind: "access_key_id"}, VariableDef{Name: "secret", Kind: "secret_key"}, VariableDef{Name: "sid", Kind: "session_id"})
	key := []byte("0123456789abcdef0123456789abcdef")
	a := Variables(key, s, "alice", "labcdefghijkm")
	if again := Variables(key, s, "alice", "labcdefghijkm"); again["flag"] != a["flag"] {
		t.Fatal("the same instance got a different flag")
	}
	for _, other := range []map[string]string{
		Variables(key, s, "bob", "labcdefghijkm"), Variables(key, s, "alice", "lzzzzzzzzzzzz"),
		Variables([]byte("another key entirely, 32 bytes!!"), s, "alice", "labcdefghijkm"),
	} {
		if other["flag"] == a["flag"] || other["pw"] == a["pw"] || other["sid"] == a["sid"] {
			t.Fatal("two instances share a value")
		}
	}
	for name, pattern := range map[string]string{
		"flag": `^FLAG\{labcdefghijkm-[0-9a-f]{24}\}$`, "key": `^AKIA[A-Z2-7]{16}$`, "secret": `^[A-Za-z0-9+/]{40}$`, "pw": `^[A-Za-z0-9_-]{20}$`,
		"sid": `^[A-Za-z0-9]{40}$`,
	} {
		if !regexp.MustCompile(pattern).MatchString(a[name]) {
			t.Errorf("%s = %q, want %s", name, a[name], pattern)
		}
	}
	if id, ok := FlagInstance(a["flag"]); !ok || id != "labcdefghijkm" {
		t.Fatalf("FlagInstance(%q) = %q, %v", a["flag"], id, ok)
	}
	if _, ok := FlagInstance("FLAG{not-one-of-ours}"); ok {
		t.Fatal("FlagInstance found an instance in a foreign flag")
	}
}
