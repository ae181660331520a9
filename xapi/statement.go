package xapi

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// namespace is the UUIDv5 namespace of statement ids. It never changes:
// changing it would make every statement sent so far look new.
var namespace = uuid.MustParse("6d0c7a2e-4b1f-5c3a-9e8d-2f6a1b7c9d40")

// StatementID is the id of the statement built from a record: the same
// record always gives the same id, so a retry never duplicates.
func StatementID(recordID string) string {
	return uuid.NewSHA1(namespace, []byte(recordID)).String()
}

// Registration is the UUID of an attempt: the id itself when it is one,
// or a UUIDv5 of it otherwise (registrations must be UUIDs).
func Registration(id string) string {
	if u, err := uuid.Parse(id); err == nil {
		return u.String()
	}
	return uuid.NewSHA1(namespace, []byte("registration:"+id)).String()
}

// Statement is an xAPI statement, with the fields Sakimori sends.
type Statement struct {
	ID        string   `json:"id"`
	Actor     Actor    `json:"actor"`
	Verb      Verb     `json:"verb"`
	Object    Activity `json:"object"`
	Result    *Result  `json:"result,omitempty"`
	Context   Context  `json:"context"`
	Timestamp string   `json:"timestamp"`
	Version   string   `json:"version,omitempty"`
}

type Actor struct {
	ObjectType string  `json:"objectType"`
	Account    Account `json:"account"`
}

type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

type Verb struct {
	ID      string            `json:"id"`
	Display map[string]string `json:"display"`
}

type Activity struct {
	ObjectType string      `json:"objectType"`
	ID         string      `json:"id"`
	Definition *Definition `json:"definition,omitempty"`
}

type Definition struct {
	Type string            `json:"type"`
	Name map[string]string `json:"name,omitempty"`
}

type Result struct {
	Success    *bool  `json:"success,omitempty"`
	Completion *bool  `json:"completion,omitempty"`
	Score      *Score `json:"score,omitempty"`
	Duration   string `json:"duration,omitempty"`
}

type Score struct {
	Scaled float64 `json:"scaled"`
	Raw    int     `json:"raw"`
	Min    int     `json:"min"`
	Max    int     `json:"max"`
}

type Context struct {
	Registration      string            `json:"registration,omitempty"`
	Platform          string            `json:"platform"`
	Language          string            `json:"language,omitempty"`
	ContextActivities ContextActivities `json:"contextActivities"`
}

type ContextActivities struct {
	Parent   []Activity `json:"parent,omitempty"`
	Grouping []Activity `json:"grouping,omitempty"`
	Category []Activity `json:"category,omitempty"`
}

// Builder turns records into statements for one range.
type Builder struct {
	// HomePage is the range's public URL: the actor's account home and
	// the root of every activity id.
	HomePage string
	// Techniques gives the ATT&CK ids an objective (or, with an empty
	// objective, a scenario) exercises; nil means none are known.
	Techniques func(scenarioID, objectiveID string) []string
}

// Person is the account name an LRS knows a person by: a UUIDv5 of their
// id, stable and opaque, that names no one.
func Person(userID string) string {
	return uuid.NewSHA1(namespace, []byte("person:"+userID)).String()
}

// Options are what an organisation sets about its statements.
type Options struct {
	Language string // the language tag of display names and context.language
}

var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// TechniqueIRI is the ATT&CK page of a technique id: T1078.004 becomes
// https://attack.mitre.org/techniques/T1078/004/.
func TechniqueIRI(id string) (string, bool) {
	if !techniqueID.MatchString(id) {
		return "", false
	}
	return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/", true
}

func (b Builder) activity(typ, name string, path ...string) Activity {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = url.PathEscape(p)
	}
	a := Activity{ObjectType: "Activity", ID: strings.TrimRight(b.HomePage, "/") + "/xapi/activities/" + strings.Join(parts, "/")}
	a.Definition = &Definition{Type: typ}
	if name != "" {
		a.Definition.Name = map[string]string{"und": name}
	}
	return a
}

// Build makes the statement of one record.
func (b Builder) Build(r Record, o Options) (Statement, error) {
	lang := o.Language
	if lang == "" {
		lang = "en"
	}
	s := Statement{
		ID:        StatementID(r.ID),
		Actor:     Actor{ObjectType: "Agent", Account: Account{HomePage: b.HomePage, Name: Person(r.Person)}},
		Timestamp: r.At.UTC().Format(time.RFC3339Nano),
		Context:   Context{Platform: "Sakimori", Language: lang},
	}
	if r.Registration != "" {
		s.Context.Registration = Registration(r.Registration)
	}
	lab := b.activity(TypeLab, r.ScenarioID, "scenarios", r.ScenarioID)
	if r.CohortID != "" {
		s.Context.ContextActivities.Grouping = []Activity{b.activity(TypeCohort, "", "cohorts", r.CohortID)}
	}
	techniques := r.Techniques
	if techniques == nil && b.Techniques != nil {
		techniques = b.Techniques(r.ScenarioID, r.ObjectiveID)
	}
	for _, t := range techniques {
		if iri, ok := TechniqueIRI(t); ok {
			s.Context.ContextActivities.Category = append(s.Context.ContextActivities.Category,
				Activity{ObjectType: "Activity", ID: iri})
		}
	}
	yes, no := true, false
	switch r.Kind {
	case KindLaunched:
		s.Verb, s.Object = verb(VerbLaunched, lang), lab
	case KindWrong, KindPassed:
		s.Object = b.activity(TypeObjective, r.ObjectiveID, "scenarios", r.ScenarioID, "objectives", r.ObjectiveID)
		s.Context.ContextActivities.Parent = []Activity{lab}
		if r.Kind == KindWrong {
			s.Verb, s.Result = verb(VerbAnswered, lang), &Result{Success: &no}
		} else {
			s.Verb, s.Result = verb(VerbPassed, lang), &Result{Success: &yes, Completion: &yes}
		}
	case KindHint:
		s.Verb = verb(VerbExperienced, lang)
		s.Object = b.activity(TypeHint, r.HintID, "scenarios", r.ScenarioID, "hints", r.HintID)
		s.Context.ContextActivities.Parent = []Activity{lab}
	case KindCompleted:
		s.Verb = verb(VerbCompleted, lang)
		s.Object = b.activity(TypeAssignment, "", "assignments", r.Registration)
		s.Context.ContextActivities.Parent = []Activity{lab}
		res := &Result{Completion: &yes, Duration: Duration(r.Duration)}
		if r.MaxPoints > 0 {
			scaled := float64(r.Points) / float64(r.MaxPoints)
			scaled = min(max(scaled, -1), 1)
			res.Score = &Score{Scaled: scaled, Raw: min(max(r.Points, 0), r.MaxPoints), Min: 0, Max: r.MaxPoints}
		}
		s.Result = res
	default:
		return Statement{}, fmt.Errorf("xapi: a record of unknown kind %q", r.Kind)
	}
	return s, nil
}

func verb(id, lang string) Verb {
	return Verb{ID: id, Display: map[string]string{lang: verbDisplay[id]}}
}

// Duration writes d as an ISO 8601 duration (PT1H2M3.5S), as xAPI wants.
func Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	h := int64(d / time.Hour)
	d -= time.Duration(h) * time.Hour
	m := int64(d / time.Minute)
	d -= time.Duration(m) * time.Minute
	sec := d.Seconds()
	return fmt.Sprintf("PT%dH%dM%sS", h, m, strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", sec), "0"), "."))
}
