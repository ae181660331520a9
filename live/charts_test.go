package live_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/scoring"
)

var chartStart = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// at is a submission minutes after the class began, in lab "lab-<trainee>".
func at(trainee, objective string, correct bool, minutes, points int) scoring.Event {
	e := submission(trainee, objective, correct)
	e.ID = fmt.Sprintf("%s-%d", e.ID, minutes)
	e.InstanceID, e.At, e.Points = "lab-"+trainee, chartStart.Add(time.Duration(minutes)*time.Minute), points
	return e
}

func chartClass() ([]live.Column, []live.Member) {
	return []live.Column{{ID: "o1", Title: "First"}, {ID: "o2", Title: "Second"}},
		[]live.Member{{ID: "t1"}, {ID: "t2"}, {ID: "t3"}}
}

func TestChartsOfAnEmptyClass(t *testing.T) {
	columns, members := chartClass()
	c := live.ChartsOf("s", columns, members, nil, nil)
	if c.Trainees != 3 || len(c.Solves) != 0 || len(c.ScoreBands) != 0 || len(c.Stuck) != 0 {
		t.Fatalf("nothing yet: %+v", c)
	}
	if len(c.TimeToSolve) != 2 || c.TimeToSolve[0].Solves != 0 || c.TimeToSolve[0].MedianMinutes != 0 {
		t.Fatalf("time to solve with no solves: %+v", c.TimeToSolve)
	}
}

func TestChartsCountSolvesInTimeOrder(t *testing.T) {
	columns, members := chartClass()
	records := []scoring.Event{
		at("t1", "o1", true, 30, 100), at("t1", "o2", true, 50, 100), // t1's records, then t2's
		at("t2", "o1", true, 10, 100),
		at("t2", "o1", true, 20, 100), // a repeat counts once
		at("stranger", "o1", true, 5, 100),
	}
	c := live.ChartsOf("s", columns, members, records, nil)
	if got := fmt.Sprint(c.Solves); got != fmt.Sprint([]live.SolvePoint{
		{At: chartStart.Add(10 * time.Minute), Solves: 1}, {At: chartStart.Add(30 * time.Minute), Solves: 2}, {At: chartStart.Add(50 * time.Minute), Solves: 3},
	}) {
		t.Fatalf("solves over time: %s", got)
	}
}

func TestChartsSpreadScoresInRoundBands(t *testing.T) {
	columns, members := chartClass()
	hint := scoring.Event{ID: "h", Kind: scoring.EventHint, TraineeID: "t3", ScenarioID: "s", ObjectiveID: "o1", Points: -20}
	records := []scoring.Event{at("t1", "o1", true, 1, 100), at("t1", "o2", true, 2, 150), at("t2", "o1", true, 3, 90), hint}
	c := live.ChartsOf("s", columns, members, records, nil)
	// Best is 250: bands of 50, 0..300; t3's -20 counts in the first.
	want := []live.ScoreBand{{0, 50, 1}, {50, 100, 1}, {100, 150, 0}, {150, 200, 0}, {200, 250, 0}, {250, 300, 1}}
	if fmt.Sprint(c.ScoreBands) != fmt.Sprint(want) {
		t.Fatalf("score bands: %v", c.ScoreBands)
	}
}

func TestChartsTimeToSolveFromTheLabStartOrTheFirstAttempt(t *testing.T) {
	columns, members := chartClass()
	labStart := chartStart
	instances := []labs.Instance{{ID: "lab-t1", TraineeID: "t1", ScenarioID: "s", StartedAt: &labStart}}
	records := []scoring.Event{
		at("t1", "o1", true, 40, 100),                               // 40 minutes after t1's lab began
		at("t2", "o1", false, 10, 0), at("t2", "o1", true, 30, 100), // t2's lab is unknown: 20 from the first try
		at("t3", "o1", true, 70, 100), // unknown lab, no earlier try: 0
	}
	c := live.ChartsOf("s", columns, members, records, instances)
	if o1 := c.TimeToSolve[0]; o1.ObjectiveID != "o1" || o1.Title != "First" || o1.Solves != 3 || o1.MedianMinutes != 20 {
		t.Fatalf("o1: %+v", o1)
	}
	records = append(records, at("t1", "o2", true, 50, 100), at("t2", "o2", false, 31, 0), at("t2", "o2", true, 41, 100))
	if o2 := live.ChartsOf("s", columns, members, records, instances).TimeToSolve[1]; o2.Solves != 2 || o2.MedianMinutes != 30 {
		t.Fatalf("o2, an even count's median: %+v", o2)
	}
}

func TestChartsShowWhereTheClassIsStuck(t *testing.T) {
	columns, members := chartClass()
	records := []scoring.Event{
		at("t1", "o1", false, 1, 0), at("t1", "o1", true, 2, 100), at("t1", "o1", false, 3, 0), // wrong after the solve: not counted
		at("t2", "o2", false, 1, 0), at("t2", "o2", false, 2, 0),
		at("t3", "o2", false, 1, 0),
	}
	c := live.ChartsOf("s", columns, members, records, nil)
	want := []live.StuckObjective{{ObjectiveID: "o2", Title: "Second", Wrong: 3, Stuck: 2}, {ObjectiveID: "o1", Title: "First", Wrong: 1, Stuck: 0}}
	if fmt.Sprint(c.Stuck) != fmt.Sprint(want) {
		t.Fatalf("stuck: %+v", c.Stuck)
	}
	other := at("t1", "o2", false, 4, 0)
	other.ScenarioID = "another"
	if c := live.ChartsOf("s", columns, members, append(records, other), nil); c.Stuck[0].Wrong != 3 {
		t.Fatalf("another scenario's wrong answer counted: %+v", c.Stuck)
	}
}
