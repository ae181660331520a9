package scoring

import "github.com/sakimori/sakimori/manifest"

// Kind says how an objective is met, and so which of its fields apply.
// Code that treats kinds differently asks the Kind, never which fields
// happen to be set.
type Kind string

const (
	KindFlag      Kind = "flag"      // a per-instance or static flag is submitted
	KindQuestion  Kind = "question"  // an answer (or a choice) is submitted
	KindCheck     Kind = "check"     // the platform runs a command in the lab: exit 0 passes
	KindDetection Kind = "detection" // a Sigma rule is submitted and graded on events
)

// Kinds are every kind, in the order the reference lists them.
var Kinds = []Kind{KindFlag, KindQuestion, KindCheck, KindDetection}

// Track is the side of an incident an objective trains.
type Track string

const (
	TrackAttack  Track = "attack"
	TrackDefence Track = "defence"
)

// Tracks are every track, attack first.
var Tracks = []Track{TrackAttack, TrackDefence}

// TracksOf lists the tracks the objectives cover, attack first; never nil.
func TracksOf(objectives []Objective) []Track {
	out := []Track{}
	for _, t := range Tracks {
		for _, o := range objectives {
			if o.Track == t {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// Match is how a submitted answer is compared with the accepted ones.
type Match string

const (
	MatchExact           Match = "exact" // also when unset
	MatchCaseInsensitive Match = "case_insensitive"
	MatchRegex           Match = "regex" // each answer a pattern matched whole
	MatchNumeric         Match = "numeric"
)

// Objective is one thing a trainee must do, as a scenario manifest
// declares it and as scoring checks it: this one type is used everywhere.
// See docs/scenarios.md for the reference of every field.
type Objective struct {
	ID          string   `yaml:"id"`
	Track       Track    `yaml:"track"`
	Kind        Kind     `yaml:"kind"`
	Title       string   `yaml:"title"`
	Points      int      `yaml:"points"`
	Variable    string   `yaml:"variable"`          // flags: the per-instance variable holding the flag
	Answers     []string `yaml:"answers"`           // static flags and questions: accepted answers
	Match       Match    `yaml:"match"`             // exact (default), case_insensitive, regex or numeric
	Tolerance   float64  `yaml:"tolerance"`         // numeric answers: accepted distance
	MaxAttempts int      `yaml:"max_attempts"`      // 0: unlimited
	Dynamic     *Decay   `yaml:"dynamic"`           // value falls as more trainees solve it
	FirstSolve  int      `yaml:"first_solve_bonus"` // extra points for the first trainee to solve it
	TimeBonus   *Bonus   `yaml:"time_bonus"`        // extra points for solving soon after the lab starts
	Choices     []string `yaml:"choices"`           // multiple choice: the options shown; answers are the right ones
	Walkthrough string   `yaml:"walkthrough"`       // revealed on request; revealing forfeits the points
	Host        string   `yaml:"host"`              // checks: the lab host to run in
	Command     []string `yaml:"command"`           // checks: exit 0 passes
	// Detections: the trainee's Sigma rule must match every malicious
	// event and none of the benign ones.
	Malicious []map[string]any `yaml:"malicious_events"`
	Benign    []map[string]any `yaml:"benign_events"`
	// Live adds the lab's own log to what a detection is graded on.
	Live *LiveEvents `yaml:"live_events"`
	// What solving it shows, for the competency transcript: ATT&CK
	// technique ids (the scenario's when empty) and NICE task, knowledge
	// and skill statement ids, and SecBoK item ids (checked against the
	// skill map an admin imports, as SecBoK is never bundled).
	Attack []string `yaml:"attack"`
	NICE   []string `yaml:"nice"`
	SecBoK []string `yaml:"secbok"`
}

// LiveEvents is where a detection objective reads the lab's own log
// (Command, run in Host, printing one JSON record a line) and which of its
// records are the attack (Truth, the author's Sigma rule); the rest must
// not match.
type LiveEvents struct {
	Host    string   `yaml:"host"`
	Command []string `yaml:"command"`
	Truth   string   `yaml:"truth"`
}

// Decay is dynamic scoring (CTFd's formula): an objective is worth its
// points to the first solver, falling with the square of the solves before
// it to Minimum after Decay solves.
type Decay struct {
	Minimum int `yaml:"minimum"`
	Decay   int `yaml:"decay"`
}

// Bonus is extra points for a solve within a time of the lab's start.
type Bonus struct {
	Within manifest.Duration `yaml:"within"`
	Points int               `yaml:"points"`
}

// Hint helps with one objective, at a cost in points.
type Hint struct {
	ID          string `yaml:"id"`
	ObjectiveID string `yaml:"objective"`
	Text        string `yaml:"text"`
	Cost        int    `yaml:"cost"`
}
