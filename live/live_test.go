package live_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/scoring"
)

func submission(trainee, objective string, correct bool) scoring.Event {
	return scoring.Event{ID: fmt.Sprintf("%s-%s-%v", trainee, objective, correct), Kind: scoring.EventSubmission,
		TraineeID: trainee, ScenarioID: "s", ObjectiveID: objective, Correct: correct}
}

func TestMatrixCellsOnlyMoveForward(t *testing.T) {
	m := live.NewMatrix("s", []live.Column{{ID: "o1"}, {ID: "o2"}}, []live.Member{{ID: "t1", DisplayName: "Aiko"}})
	if obj, _ := m.Apply(submission("t1", "o1", false)); obj != "o1" || m.Row("t1").Cells[0] != live.Attempted {
		t.Fatalf("a wrong answer: %q %v", obj, m.Row("t1").Cells)
	}
	if obj, _ := m.Apply(submission("t1", "o1", true)); obj != "o1" || m.Row("t1").Cells[0] != live.Solved {
		t.Fatalf("a solve: %q %v", obj, m.Row("t1").Cells)
	}
	if obj, _ := m.Apply(submission("t1", "o1", false)); obj != "" || m.Row("t1").Cells[0] != live.Solved {
		t.Fatal("a wrong answer after the solve undid it")
	}
	if obj, _ := m.Apply(submission("stranger", "o1", true)); obj != "" {
		t.Fatal("someone outside the class changed the matrix")
	}
	other := submission("t1", "o2", true)
	other.ScenarioID = "another"
	if obj, _ := m.Apply(other); obj != "" || m.Row("t1").Cells[1] != live.Untouched {
		t.Fatal("another scenario's record changed the matrix")
	}
}

func TestMatrixCountsHintsOnceAndKeepsMarks(t *testing.T) {
	m := live.NewMatrix("s", []live.Column{{ID: "o1"}}, []live.Member{{ID: "t1"}})
	hint := scoring.Event{ID: "h1", Kind: scoring.EventHint, TraineeID: "t1", ScenarioID: "s", ObjectiveID: "o1"}
	for range 2 { // once in a snapshot, once as news
		m.Apply(hint)
	}
	m.Apply(scoring.Event{ID: "r1", Kind: scoring.EventReveal, TraineeID: "t1", ScenarioID: "s", ObjectiveID: "o1"})
	shared := submission("t1", "o1", false)
	shared.SharedWith = "t2"
	if _, changed := m.Apply(shared); !changed {
		t.Fatal("a shared flag did not change the row")
	}
	fast := submission("t1", "o1", true)
	fast.Note = "walkthrough_revealed,fast_solve"
	m.Apply(fast)
	r := m.Row("t1")
	if r.Hints != 1 || r.Walkthroughs != 1 || fmt.Sprint(r.Marks) != "[shared_flag fast_solve]" {
		t.Fatalf("row: %+v", r)
	}
}

func TestMatrixShowsTheNewestLabAndItsTime(t *testing.T) {
	m := live.NewMatrix("s", nil, []live.Member{{ID: "t1"}})
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	if !m.SetLab(labs.Instance{ID: "l1", TraineeID: "t1", ScenarioID: "s", State: labs.StateRunning, StartedAt: &start}) {
		t.Fatal("a running lab did not change the row")
	}
	if m.SetLab(labs.Instance{ID: "l1", TraineeID: "t1", ScenarioID: "s", State: labs.StateRunning, StartedAt: &start}) {
		t.Fatal("the same state twice changed the row")
	}
	if m.SetLab(labs.Instance{ID: "l2", TraineeID: "t1", ScenarioID: "other", State: labs.StatePending}) {
		t.Fatal("another scenario's lab changed the row")
	}
	if got := m.Row("t1").TimeOnTask(start.Add(90 * time.Second)); got != 90*time.Second {
		t.Fatalf("time on task: %s", got)
	}
}

func TestHubDropsASlowViewerAndTellsOnlyWhoWatches(t *testing.T) {
	h := live.NewHub()
	slow := h.WatchTrainees("s", []string{"t1"})
	elsewhere := h.WatchTrainees("other", []string{"t1"})
	for i := 0; i <= live.Buffered; i++ {
		h.Recorded(submission("t1", "o1", false))
	}
	n := 0
	for range slow.C {
		n++
	}
	if n != live.Buffered {
		t.Fatalf("the slow viewer got %d changes before being dropped, want %d", n, live.Buffered)
	}
	select {
	case ch := <-elsewhere.C:
		t.Fatalf("a viewer of another scenario was told %+v", ch)
	default:
	}
	h.Close(elsewhere)
	h.Close(elsewhere) // twice is harmless
	h.Recorded(submission("t1", "o1", true))
}

// fakeSources is a class in memory.
type fakeSources struct {
	class   live.Class
	columns []live.Column
	records map[string][]scoring.Event
}

func (f *fakeSources) Class(context.Context, cohorts.Actor, string) (live.Class, error) {
	return f.class, nil
}
func (f *fakeSources) Objectives(string) ([]live.Column, error) { return f.columns, nil }
func (f *fakeSources) Records(_ context.Context, id, _ string) ([]scoring.Event, error) {
	return f.records[id], nil
}
func (f *fakeSources) Labs(_ context.Context, id string) ([]labs.Instance, error) {
	return []labs.Instance{{ID: "lab-" + id, TraineeID: id, ScenarioID: "s", State: labs.StateRunning}}, nil
}

// class makes a class of trainees over objectives, each trainee with a
// wrong answer and a solve of every objective.
func class(trainees, objectives int) *fakeSources {
	f := &fakeSources{records: map[string][]scoring.Event{}}
	for o := range objectives {
		f.columns = append(f.columns, live.Column{ID: fmt.Sprintf("o%d", o), Title: fmt.Sprintf("Objective %d", o)})
	}
	for i := range trainees {
		id := fmt.Sprintf("t%d", i)
		f.class.Trainees = append(f.class.Trainees, live.Member{ID: id, DisplayName: "Trainee " + id})
		for _, c := range f.columns {
			f.records[id] = append(f.records[id], submission(id, c.ID, false), submission(id, c.ID, true))
		}
	}
	return f
}

func TestOpenBuildsTheSnapshotAndFollows(t *testing.T) {
	src := class(3, 2)
	svc := live.NewService(src, live.NewHub(), nil, nil)
	m, sub, err := svc.Open(context.Background(), cohorts.Actor{}, "c", "s")
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Hub().Close(sub)
	if len(m.Rows) != 3 || m.Row("t2").Cells[1] != live.Solved || m.Row("t2").LabState != labs.StateRunning {
		t.Fatalf("snapshot: %+v", m.Rows)
	}
	svc.Hub().LabChanged(labs.Instance{ID: "x", TraineeID: "t1", ScenarioID: "s", State: labs.StateStopped})
	if ch := <-sub.C; ch.Lab == nil || ch.Lab.TraineeID != "t1" {
		t.Fatalf("news: %+v", ch)
	}
}

// size is the class the benchmarks use: full size, or small under -short.
func size(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// BenchmarkSnapshot builds the matrix of 500 trainees by 30 objectives
// (50 under -short), every one with a wrong answer and a solve of each:
// the work a connecting viewer costs beyond reading the records.
func BenchmarkSnapshot(b *testing.B) {
	src := class(size(500, 50), 30)
	svc := live.NewService(src, live.NewHub(), nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		_, sub, err := svc.Open(context.Background(), cohorts.Actor{}, "c", "s")
		if err != nil {
			b.Fatal(err)
		}
		svc.Hub().Close(sub)
	}
}

// BenchmarkFanOut hands one solve to N viewers of the class (1,000; 20
// under -short) and waits until each has it.
func BenchmarkFanOut(b *testing.B) {
	n := size(1000, 20)
	h := live.NewHub()
	trainees := make([]string, 500)
	for i := range trainees {
		trainees[i] = fmt.Sprintf("t%d", i)
	}
	subs := make([]*live.Subscription, n)
	for i := range subs {
		subs[i] = h.WatchTrainees("s", trainees)
	}
	solve := submission("t7", "o1", true)
	b.ReportAllocs()
	for b.Loop() {
		h.Recorded(solve)
		for _, s := range subs {
			<-s.C
		}
	}
	b.ReportMetric(float64(n), "viewers")
}

// wholeClass is fakeSources that also reads the class at once.
type wholeClass struct {
	*fakeSources
	calls int // per-trainee reads, which a whole-class source never needs
}

func (w *wholeClass) Records(ctx context.Context, id, s string) ([]scoring.Event, error) {
	w.calls++
	return w.fakeSources.Records(ctx, id, s)
}

func (w *wholeClass) ClassRecords(_ context.Context, ids []string, _ string) ([]scoring.Event, error) {
	var out []scoring.Event
	for _, id := range ids {
		out = append(out, w.records[id]...)
	}
	return out, nil
}

func (w *wholeClass) ClassLabs(_ context.Context, ids []string) ([]labs.Instance, error) {
	var out []labs.Instance
	for _, id := range ids {
		// Newest first: the older lab of the scenario must not win.
		out = append(out, labs.Instance{ID: "new-" + id, TraineeID: id, ScenarioID: "s", State: labs.StateRunning},
			labs.Instance{ID: "old-" + id, TraineeID: id, ScenarioID: "s", State: labs.StateStopped})
	}
	return out, nil
}

// A source that reads the whole class at once builds the same matrix as
// one read a trainee, without the per-trainee reads.
func TestOpenReadsAWholeClassAtOnce(t *testing.T) {
	src := &wholeClass{fakeSources: class(3, 2)}
	src.records["t1"] = src.records["t1"][:1] // t1: one wrong answer only
	svc := live.NewService(src, live.NewHub(), nil, nil)
	m, sub, err := svc.Open(context.Background(), cohorts.Actor{}, "c", "s")
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Hub().Close(sub)
	if src.calls != 0 {
		t.Fatalf("%d per-trainee reads", src.calls)
	}
	if m.Row("t0").Cells[1] != live.Solved || m.Row("t1").Cells[0] != live.Attempted || m.Row("t1").Cells[1] != live.Untouched {
		t.Fatalf("cells: %+v", m.Rows)
	}
	if r := m.Row("t2"); r.LabID != "new-t2" || r.LabState != labs.StateRunning {
		t.Fatalf("the newest lab: %+v", r)
	}
}

// folded is wholeClass that also reads the class folded (ClassSummary).
type folded struct{ *wholeClass }

func (f folded) ClassProgress(ctx context.Context, ids []string, s string) (scoring.ClassProgress, error) {
	records, err := f.ClassRecords(ctx, ids, s)
	return scoring.FoldClassProgress(records), err
}

// A class read folded (each cell's furthest state, and only the counted
// and marked records in full) builds the same matrix as every record.
func TestOpenFoldedIsTheSameMatrix(t *testing.T) {
	src := &wholeClass{fakeSources: class(3, 2)}
	src.records["t1"] = src.records["t1"][:1]
	at := time.Now()
	src.records["t2"] = append(src.records["t2"],
		scoring.Event{ID: "h", Kind: scoring.EventHint, TraineeID: "t2", ScenarioID: "s", ObjectiveID: "o0", At: at},
		scoring.Event{ID: "f", Kind: scoring.EventSubmission, TraineeID: "t2", ScenarioID: "s", ObjectiveID: "o1", Correct: true, Note: "late,fast_solve", At: at})
	hub := live.NewHub()
	want, sub, err := live.NewService(src, hub, nil, nil).Open(context.Background(), cohorts.Actor{}, "c", "s")
	if err != nil {
		t.Fatal(err)
	}
	hub.Close(sub)
	got, sub, err := live.NewService(folded{src}, hub, nil, nil).Open(context.Background(), cohorts.Actor{}, "c", "s")
	if err != nil {
		t.Fatal(err)
	}
	hub.Close(sub)
	if !reflect.DeepEqual(got.Rows, want.Rows) {
		t.Fatalf("folded %+v\nrecords %+v", got.Rows, want.Rows)
	}
	if r := got.Row("t2"); r.Hints != 1 || !slices.Contains(r.Marks, "fast_solve") {
		t.Fatalf("t2: %+v", r)
	}
}
