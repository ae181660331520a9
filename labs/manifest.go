// Package labs is the lab domain: scenario manifests, lab instances and
// their lifecycle (launch, extend, reset, stop), quotas, the expiry reaper
// and the start-up reconciler. It drives a runtime through labs/driver and
// keeps its records through the Store it declares; it knows nothing of
// HTTP, SQL or Docker.
package labs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/manifest"
	"github.com/sakimori/sakimori/scoring"
)

// Scenario is a parsed scenario.yaml: everything needed to make a lab.
// See docs/scenarios.md for the reference of every field.
type Scenario struct {
	ID          string              `yaml:"id"`
	Version     int                 `yaml:"version"`
	Title       string              `yaml:"title"`
	Summary     string              `yaml:"summary"`
	Story       string              `yaml:"story"`
	Incidents   []Incident          `yaml:"incidents"`
	Attack      []string            `yaml:"attack"`     // MITRE ATT&CK technique IDs
	NICERoles   []string            `yaml:"nice_roles"` // NICE Framework work roles
	Difficulty  string              `yaml:"difficulty"`
	TimeLimit   manifest.Duration   `yaml:"time_limit"`
	Networks    []NetworkDef        `yaml:"networks"`
	Hosts       []HostDef           `yaml:"hosts"`
	Variables   []VariableDef       `yaml:"variables"`
	Objectives  []scoring.Objective `yaml:"objectives"` // scoring owns their schema and its validation
	Hints       []scoring.Hint      `yaml:"hints"`
	Solution    []SolutionStep      `yaml:"solution"` // the reference solution, run by `sakimori scenario test`
	sourcePath  string
	sourceBytes []byte
	texts       map[string]*ScenarioText // the words in other languages, by language (see In)
	files       map[string][]byte        // what hosts' files name as their source, by that path
	notes       map[string]string        // the instructor notes, by language, English too (see Notes)
}

// Incident is a public incident the scenario re-enacts.
type Incident struct {
	Name      string `yaml:"name"`
	Year      int    `yaml:"year"`
	Reference string `yaml:"reference"`
}

// NetworkDef is one lab network. Every lab network is internal.
type NetworkDef struct {
	Name string `yaml:"name"`
}

// HostDef is one container of the lab.
type HostDef struct {
	Name     string            `yaml:"name"`
	Image    string            `yaml:"image"`
	Command  []string          `yaml:"command"`
	Env      map[string]string `yaml:"env"` // values may use ${var.NAME}
	Networks []string          `yaml:"networks"`
	// Aliases are more DNS names the host answers to on each of its
	// networks: the names a story's hosts go by (a vendor's
	// uploader.example.com), since lab addresses change with each lab.
	Aliases      []string        `yaml:"aliases"`
	Terminal     bool            `yaml:"terminal"` // the host the trainee's terminal opens in
	Ports        []Port          `yaml:"ports"`    // ports the browser may open through the platform
	Writable     bool            `yaml:"writable_root"`
	Tmpfs        map[string]Size `yaml:"tmpfs"`
	Resources    Resources       `yaml:"resources"`
	Capabilities []string        `yaml:"capabilities"`
	// LoopbackAddresses are link-local addresses a service in this host
	// answers at, such as the instance metadata address 169.254.169.254;
	// only this host can reach them.
	LoopbackAddresses []string `yaml:"loopback_addresses"`
	// Files are files of the scenario folder, under files/, that the host
	// starts with; see FileDef.
	Files []FileDef `yaml:"files"`

	// Isolation-weakening settings are named here only so the validator can
	// refuse them by name with a clear reason, rather than as unknown keys.
	Privileged  *bool    `yaml:"privileged"`
	Volumes     []string `yaml:"volumes"`
	Mounts      []string `yaml:"mounts"`
	NetworkMode string   `yaml:"network_mode"`
	PidMode     string   `yaml:"pid"`
	IpcMode     string   `yaml:"ipc"`
	Devices     []string `yaml:"devices"`
	SecurityOpt []string `yaml:"security_opt"`
	User        string   `yaml:"user"`
}

// FileDef places one file of the scenario folder in a host. The range
// copies it in through the engine before the host first starts, owned by
// the host's user, so it needs the host's root to be writable.
type FileDef struct {
	Source string `yaml:"source"` // its path in the scenario folder, under files/
	Path   string `yaml:"path"`   // the absolute path it takes in the host
	Mode   string `yaml:"mode"`   // octal permissions: "0644" (the default), "0755" for a script
	// Expand substitutes ${var.NAME} and ${host.NAME} in the file's text, as
	// in env, so a file can carry the lab's own flag or password.
	Expand bool `yaml:"expand"`
}

// Port is a port of a host the browser may open through the platform.
type Port struct {
	Port  int    `yaml:"port"`
	Label string `yaml:"label"`
}

// Resources is what one host may use.
type Resources struct {
	Memory Size    `yaml:"memory"`
	CPUs   float64 `yaml:"cpus"`
	Pids   int64   `yaml:"pids"`
}

// VariableDef is a value made per instance: a flag, a password, a key.
// Values derive from an HMAC of the platform's secret, the instance and the
// variable's name, so the platform can recompute them to check answers.
type VariableDef struct {
	Name   string `yaml:"name"`
	Kind   string `yaml:"kind"`   // flag, password, access_key_id, secret_key
	Format string `yaml:"format"` // flags only: e.g. "FLAG{%s}"
}

// SolutionStep is one step of a scenario's reference solution, which
// `sakimori scenario test` runs against a live lab so no scenario is
// published unsolvable. A step runs its script (in the terminal host
// unless it names another), then answers its objective: with Answer, or
// with the last line the script printed; a check objective is checked.
// Before that, Wrong (or a made-up answer) must be refused.
type SolutionStep struct {
	Objective string            `yaml:"objective"`
	Host      string            `yaml:"host"`
	Run       string            `yaml:"run"`
	Answer    string            `yaml:"answer"`
	Wrong     string            `yaml:"wrong"`
	Within    manifest.Duration `yaml:"within"` // retry the step until it passes, for this long (scripted traffic takes time)
}

// ErrNoTerminalHost is a terminal asked for in a host the scenario opens
// no terminal in.
var ErrNoTerminalHost = fault.New(fault.NotFound, "terminal_host_not_found", "This lab has no terminal in that host.")

// CheckTerminalHost says whether a terminal may open in host.
func (s *Scenario) CheckTerminalHost(host string) error {
	if !slices.Contains(s.TerminalHosts(), host) {
		return ErrNoTerminalHost
	}
	return nil
}

// MaxTerminalHosts bounds a scenario's terminal hosts: the browser holds
// a shell open in each, and a person may hold three.
const MaxTerminalHosts = 3

// TerminalHost returns the host the trainee's terminal opens in first.
func (s *Scenario) TerminalHost() string {
	if hosts := s.TerminalHosts(); len(hosts) > 0 {
		return hosts[0]
	}
	return ""
}

// TerminalHosts lists the hosts the trainee may open a terminal in, in
// the scenario's order.
func (s *Scenario) TerminalHosts() []string {
	var out []string
	for _, h := range s.Hosts {
		if h.Terminal {
			out = append(out, h.Name)
		}
	}
	return out
}

// ParseScenario decodes a manifest strictly (unknown keys are errors) and
// validates it. The error lists every problem with its field path.
func ParseScenario(data []byte, source string) (*Scenario, error) {
	return ParseScenarioWithSolution(data, nil, source)
}

// ParseScenarioWithSolution is ParseScenario for a scenario whose
// reference solution is kept in its own file (solution.yaml, a list of
// steps) beside the manifest. solution nil means there is none; the steps
// are validated as if they were the manifest's solution field, and a
// solution in both places is refused.
func ParseScenarioWithSolution(data, solution []byte, source string) (*Scenario, error) {
	root, shape := checkYAMLShape(data)
	if len(shape) > 0 {
		return nil, &ManifestError{Source: source, Problems: shape}
	}
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, &ManifestError{Source: source, Problems: decodeProblems(err, root)}
	}
	var solutionRoot *yaml.Node
	if solution != nil {
		if len(s.Solution) > 0 {
			return nil, &ManifestError{Source: source, Problems: placed([]Problem{{Path: "solution", Message: "is given both here and in solution.yaml: keep one"}}, root)}
		}
		var shape []Problem
		if solutionRoot, shape = checkYAMLShape(solution); len(shape) > 0 {
			return nil, &ManifestError{Source: source, Problems: inFile(solutionFile, shape)}
		}
		dec := yaml.NewDecoder(bytes.NewReader(solution))
		dec.KnownFields(true)
		if err := dec.Decode(&s.Solution); err != nil && !errors.Is(err, io.EOF) {
			problems := inFile(solutionFile, decodeProblems(err, solutionRoot))
			for i := range problems {
				problems[i].Path, problems[i].Message = "solution", solutionFile+": "+problems[i].Message
			}
			return nil, &ManifestError{Source: source, Problems: problems}
		}
	}
	s.sourcePath, s.sourceBytes = source, data
	if problems := Validate(&s); len(problems) > 0 {
		return nil, &ManifestError{Source: source, Problems: capProblems(placeSolution(problems, root, solutionRoot))}
	}
	return &s, nil
}

const solutionFile = "solution.yaml"

func placed(problems []Problem, root *yaml.Node) []Problem {
	place(problems, root)
	return problems
}

// inFile marks problems as found in file beside the manifest.
func inFile(file string, problems []Problem) []Problem {
	for i := range problems {
		problems[i].File = file
	}
	return problems
}

// placeSolution places each problem in the manifest, or, for the steps of
// a solution kept in solution.yaml, in that file.
func placeSolution(problems []Problem, root, solutionRoot *yaml.Node) []Problem {
	if solutionRoot == nil {
		return placed(problems, root)
	}
	steps := solutionRoot
	if steps.Kind == yaml.DocumentNode && len(steps.Content) > 0 {
		steps = steps.Content[0]
	}
	wrapped := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "solution", Line: 1, Column: 1}, steps}}
	for i := range problems {
		if problems[i].Path == "solution" || strings.HasPrefix(problems[i].Path, "solution[") {
			problems[i].File = solutionFile
			place(problems[i:i+1], wrapped)
		}
	}
	return placed(problems, root)
}

// Problem is one thing wrong with a manifest, at a field path such as
// hosts[1].capabilities[0] and, when it is known, at a line and column
// (1-based) of the manifest, or of File when the problem is in a file
// beside it such as solution.yaml.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	File    string `json:"file,omitempty"`
}

func (p Problem) String() string {
	text := p.Message
	if p.Path != "" {
		text = p.Path + ": " + p.Message
	}
	if p.Line > 0 {
		where := ""
		if p.File != "" {
			where = p.File + " "
		}
		text += fmt.Sprintf(" (%sline %d, column %d)", where, p.Line, p.Column)
	}
	return text
}

// ManifestError lists every problem found in one manifest.
type ManifestError struct {
	Source   string
	Problems []Problem
}

func (e *ManifestError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s)", e.Source, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// Size is a byte count written as "64MiB", "512KiB" or plain bytes.
type Size int64

func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*s = Size(v)
	return nil
}

func parseSize(text string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}, {"", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(text, u.suffix); ok {
			var n int64
			if _, err := fmt.Sscanf(num, "%d", &n); err != nil || fmt.Sprint(n) != num || n < 0 {
				break
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("%q is not a size like 64MiB", text)
}
