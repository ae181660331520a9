package scoring

import (
	"context"
	"slices"
	"strings"
)

// Reached is how far one trainee got with one objective by submitting:
// tried it, or solved it.
type Reached struct {
	TraineeID   string
	ObjectiveID string
	Solved      bool
}

// ClassProgress is a class's records in one scenario reduced to what a
// live view of the class keeps. A class of hundreds has tens of thousands
// of submissions; the view needs only each cell's furthest state, so those
// come folded, one per trainee and objective, and in full only the few
// records it counts or marks.
type ClassProgress struct {
	Reached []Reached
	// Notable are, in full and oldest first, the hints taken, walkthroughs
	// revealed, and submissions marked shared_flag, fast_solve or no_session.
	Notable []Event
}

// ClassProgressStore is a Store that reads a class's progress with
// aggregate queries rather than every record.
type ClassProgressStore interface {
	ClassProgress(ctx context.Context, traineeIDs []string, scenarioID string) (ClassProgress, error)
}

// ClassProgress is the class's progress in one scenario (see the type),
// read at once: the live view's first data.
func (s *Service) ClassProgress(ctx context.Context, trainees []string, scenarioID string) (ClassProgress, error) {
	if p, ok := s.store.(ClassProgressStore); ok {
		return p.ClassProgress(ctx, trainees, scenarioID)
	}
	events, err := s.store.ClassEvents(ctx, trainees, scenarioID)
	if err != nil {
		return ClassProgress{}, err
	}
	return FoldClassProgress(events), nil
}

// FoldClassProgress reduces records to a class's progress in memory, for
// stores without the aggregate read.
func FoldClassProgress(events []Event) ClassProgress {
	var out ClassProgress
	at := map[[2]string]int{}
	for _, e := range events {
		if e.Milestone() {
			continue
		}
		if e.Kind != EventSubmission || e.SharedWith != "" || hasLiveMark(e.Note) {
			out.Notable = append(out.Notable, e)
		}
		if e.Kind != EventSubmission {
			continue
		}
		k := [2]string{e.TraineeID, e.ObjectiveID}
		i, ok := at[k]
		if !ok {
			i = len(out.Reached)
			at[k] = i
			out.Reached = append(out.Reached, Reached{TraineeID: e.TraineeID, ObjectiveID: e.ObjectiveID})
		}
		out.Reached[i].Solved = out.Reached[i].Solved || e.Correct
	}
	return out
}

// LiveMarks are the notes a class's live view shows as suspicion marks.
var LiveMarks = []string{"fast_solve", "no_session"}

func hasLiveMark(note string) bool {
	for _, m := range LiveMarks {
		if slices.Contains(strings.Split(note, ","), m) {
			return true
		}
	}
	return false
}
