package live

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
)

// Charts are the class's figures for one scenario, drawn beside the
// matrix: how the solves came in, how the scores spread, how long each
// objective took and where the class is stuck.
type Charts struct {
	Trainees    int
	Solves      []SolvePoint     // one point a solve, oldest first
	ScoreBands  []ScoreBand      // from 0 up; empty when nobody has a score yet
	TimeToSolve []SolveTime      // in column order
	Stuck       []StuckObjective // most wrong attempts first; objectives without any are left out
}

// SolvePoint is the class's solves so far at one moment.
type SolvePoint struct {
	At     time.Time
	Solves int
}

// ScoreBand counts the trainees whose score in the scenario is at least
// From and below To; a score of zero or less falls in the first band.
type ScoreBand struct {
	From, To int
	Trainees int
}

// SolveTime is how long an objective took the trainees who solved it: the
// median, in minutes, from the start of the lab the solve was made in, or
// from the trainee's first attempt at the objective when that lab's start
// is unknown.
type SolveTime struct {
	ObjectiveID   string
	Title         string
	Solves        int
	MedianMinutes float64
}

// StuckObjective is an objective's wrong attempts and how many trainees
// made some without solving it yet.
type StuckObjective struct {
	ObjectiveID string
	Title       string
	Wrong       int
	Stuck       int
}

// scoreBandsAtMost keeps the distribution readable on a phone.
const scoreBandsAtMost = 10

// ChartsOf works the figures out of the class's records and labs in the
// scenario; records of other trainees, scenarios or objectives are left
// out.
func ChartsOf(scenarioID string, columns []Column, trainees []Member, records []scoring.Event, instances []labs.Instance) Charts {
	inClass := make(map[string]bool, len(trainees))
	for _, t := range trainees {
		inClass[t.ID] = true
	}
	column := make(map[string]int, len(columns))
	for i, c := range columns {
		column[c.ID] = i
	}
	started := map[string]time.Time{}
	for _, inst := range instances {
		if inst.StartedAt != nil {
			started[inst.ID] = *inst.StartedAt
		}
	}
	type key struct{ trainee, objective string }
	first := map[key]time.Time{}
	solved := map[key]bool{}
	wrong := map[key]int{}
	score := make(map[string]int, len(trainees))
	minutes := make([][]float64, len(columns))
	out := Charts{Trainees: len(trainees)}
	for _, e := range records {
		if !inClass[e.TraineeID] || e.ScenarioID != scenarioID {
			continue
		}
		score[e.TraineeID] += e.Points
		i, ok := column[e.ObjectiveID]
		if !ok || e.Kind != scoring.EventSubmission {
			continue
		}
		k := key{e.TraineeID, e.ObjectiveID}
		if _, seen := first[k]; !seen {
			first[k] = e.At
		}
		switch {
		case solved[k]:
		case e.Solves():
			solved[k] = true
			out.Solves = append(out.Solves, SolvePoint{At: e.At})
			from, ok := started[e.InstanceID]
			if !ok {
				from = first[k]
			}
			minutes[i] = append(minutes[i], max(e.At.Sub(from).Minutes(), 0))
		default:
			wrong[k]++
		}
	}
	sort.SliceStable(out.Solves, func(a, b int) bool { return out.Solves[a].At.Before(out.Solves[b].At) })
	for i := range out.Solves {
		out.Solves[i].Solves = i + 1
	}
	out.ScoreBands = scoreBands(trainees, score)
	for i, c := range columns {
		out.TimeToSolve = append(out.TimeToSolve, SolveTime{ObjectiveID: c.ID, Title: c.Title, Solves: len(minutes[i]), MedianMinutes: median(minutes[i])})
	}
	stuck := make([]StuckObjective, len(columns))
	for i, c := range columns {
		stuck[i] = StuckObjective{ObjectiveID: c.ID, Title: c.Title}
	}
	for k, n := range wrong {
		s := &stuck[column[k.objective]]
		s.Wrong += n
		if !solved[k] {
			s.Stuck++
		}
	}
	out.Stuck = slices.DeleteFunc(stuck, func(s StuckObjective) bool { return s.Wrong == 0 })
	sort.SliceStable(out.Stuck, func(a, b int) bool { return out.Stuck[a].Wrong > out.Stuck[b].Wrong })
	return out
}

// scoreBands spreads the trainees over bands of a round width from 0 to
// the best score; none when nobody has scored.
func scoreBands(trainees []Member, score map[string]int) []ScoreBand {
	best := 0
	for _, t := range trainees {
		best = max(best, score[t.ID])
	}
	if best == 0 {
		return nil
	}
	width := roundWidth(best)
	bands := make([]ScoreBand, best/width+1)
	for i := range bands {
		bands[i] = ScoreBand{From: i * width, To: (i + 1) * width}
	}
	for _, t := range trainees {
		bands[max(score[t.ID], 0)/width].Trainees++
	}
	return bands
}

// roundWidth is the smallest of 1, 2, 5, 10, 20, 50… that splits 0..best
// into at most scoreBandsAtMost bands.
func roundWidth(best int) int {
	for step := 1; ; step *= 10 {
		for _, w := range []int{step, 2 * step, 5 * step} {
			if best/w+1 <= scoreBandsAtMost {
				return w
			}
		}
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Charts reads the class's records and labs in the scenario and works out
// its figures, for those who may watch the class live.
func (s *Service) Charts(ctx context.Context, a cohorts.Actor, cohortID, scenarioID string) (Charts, error) {
	if scenarioID == "" {
		return Charts{}, errScenarioRequired
	}
	class, err := s.src.Class(ctx, a, cohortID)
	if err != nil {
		return Charts{}, err
	}
	columns, err := s.src.Objectives(scenarioID)
	if err != nil {
		return Charts{}, err
	}
	records, instances, err := s.classRecords(ctx, class.Trainees, scenarioID)
	if err != nil {
		return Charts{}, err
	}
	return ChartsOf(scenarioID, columns, class.Trainees, records, instances), nil
}

// classRecords are the trainees' records in the scenario and their labs,
// read at once when the sources can.
func (s *Service) classRecords(ctx context.Context, trainees []Member, scenarioID string) ([]scoring.Event, []labs.Instance, error) {
	ids := make([]string, len(trainees))
	for i, t := range trainees {
		ids[i] = t.ID
	}
	if whole, ok := s.src.(WholeClass); ok {
		records, err := whole.ClassRecords(ctx, ids, scenarioID)
		if err != nil {
			return nil, nil, err
		}
		instances, err := whole.ClassLabs(ctx, ids)
		return records, instances, err
	}
	var records []scoring.Event
	var instances []labs.Instance
	for _, id := range ids {
		rs, err := s.src.Records(ctx, id, scenarioID)
		if err != nil {
			return nil, nil, err
		}
		is, err := s.src.Labs(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		records, instances = append(records, rs...), append(instances, is...)
	}
	return records, instances, nil
}
