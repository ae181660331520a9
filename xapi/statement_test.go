package xapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func TestStatementIDsAreStableAndDistinct(t *testing.T) {
	first, again := StatementID("r1"), StatementID("r"+"1")
	if first != again || first == StatementID("r2") {
		t.Fatal("statement ids must be a function of the record id alone")
	}
	if id := StatementID("r1"); len(id) != 36 || id[14] != '5' {
		t.Fatalf("%s is not a UUIDv5", id)
	}
}

func TestTechniqueIRIs(t *testing.T) {
	for in, want := range map[string]string{
		"T1078.004": "https://attack.mitre.org/techniques/T1078/004/",
		"T1566":     "https://attack.mitre.org/techniques/T1566/",
	} {
		if got, ok := TechniqueIRI(in); !ok || got != want {
			t.Fatalf("%s: %s", in, got)
		}
	}
	for _, bad := range []string{"", "T10", "t1078", "T1078/004", "T1078.04"} {
		if _, ok := TechniqueIRI(bad); ok {
			t.Fatalf("%q made an IRI", bad)
		}
	}
}

// An assignment completed carries its score (scaled, raw, bounds) and its
// duration in ISO 8601, and never the person's own id.
func TestCompletedAssignmentCarriesScoreAndDuration(t *testing.T) {
	b := Builder{HomePage: "https://range.example.ac.jp"}
	s, err := b.Build(Record{ID: "done-1", Kind: KindCompleted, Person: "user-42", ScenarioID: "cloud-ir",
		Registration: "asg-7", CohortID: "c1", Points: 150, MaxPoints: 200, Duration: 90*time.Minute + 30*time.Second,
		Techniques: []string{"T1078.004", "nonsense"}, At: at}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Verb.ID != VerbCompleted || s.Result == nil || s.Result.Score == nil || s.Result.Score.Scaled != 0.75 ||
		s.Result.Score.Raw != 150 || s.Result.Score.Max != 200 || s.Result.Duration != "PT1H30M30S" || !*s.Result.Completion {
		t.Fatalf("result %+v", s.Result)
	}
	if s.Context.Registration != Registration("asg-7") || len(s.Context.ContextActivities.Category) != 1 {
		t.Fatalf("context %+v", s.Context)
	}
	raw, _ := json.Marshal(s)
	if strings.Contains(string(raw), "user-42") {
		t.Fatal("the statement names the account id")
	}
}

func TestEveryKindBuildsWithItsVerb(t *testing.T) {
	b := Builder{HomePage: "https://range.example.ac.jp"}
	for kind, verb := range map[Kind]string{KindLaunched: VerbLaunched, KindWrong: VerbAnswered, KindPassed: VerbPassed,
		KindHint: VerbExperienced, KindCompleted: VerbCompleted} {
		s, err := b.Build(Record{ID: string(kind), Kind: kind, Person: "p", ScenarioID: "s", ObjectiveID: "o", HintID: "h", At: at}, Options{})
		if err != nil || s.Verb.ID != verb {
			t.Fatalf("%s: %s %v", kind, s.Verb.ID, err)
		}
	}
	if _, err := b.Build(Record{ID: "x", Kind: "reveal"}, Options{}); err == nil {
		t.Fatal("an unknown kind built a statement")
	}
	if s, _ := b.Build(Record{ID: "w", Kind: KindWrong, At: at}, Options{}); *s.Result.Success {
		t.Fatal("a wrong answer was a success")
	}
}

func TestDurations(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "PT0H0M0S", 1500 * time.Millisecond: "PT0H0M1.5S", 2 * time.Hour: "PT2H0M0S", -time.Second: "PT0H0M0S"} {
		if got := Duration(d); got != want {
			t.Fatalf("%v: %s, want %s", d, got, want)
		}
	}
}

// BenchmarkBuildAndQueue measures statements built and marshalled into
// batches as the outbox does before posting them.
func BenchmarkBuildAndQueue(b *testing.B) {
	bld := Builder{HomePage: "https://range.example.ac.jp", Techniques: func(string, string) []string { return []string{"T1078.004", "T1530"} }}
	rec := Record{ID: "r", Kind: KindPassed, Person: "p", ScenarioID: "cloud-ir", ObjectiveID: "find-key", CohortID: "c1",
		Registration: "i-1", At: at}
	batch := make([]Statement, 0, Batch)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		rec.ID = "r" + string(rune('a'+i%26))
		s, err := bld.Build(rec, Options{Language: "ja"})
		if err != nil {
			b.Fatal(err)
		}
		batch = append(batch, s)
		if len(batch) == Batch {
			if _, err := json.Marshal(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "statements/s")
}
