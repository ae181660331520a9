package scoring

// What the records mean, in one place: the views of a trainee's progress,
// objectives, suspicions and standings read them through these, so no
// handler decides for itself what counts as solved. The store's Score,
// Attempts and Scoreboard count the same records in SQL.

// Solves reports whether the record solves its objective: a correct
// submission (an answer, a rule or a check that passed).
func (e Event) Solves() bool { return e.Kind == EventSubmission && e.Correct }

// Progresses reports whether the record belongs in a trainee's progress:
// solves, hints taken and walkthroughs revealed. Wrong answers are kept for
// lockouts and instructors only; milestones for those who follow trainees.
func (e Event) Progresses() bool {
	return e.Solves() || e.Kind == EventHint || e.Kind == EventReveal
}

// Milestone reports whether the record is a launch or a completion rather
// than something done towards an objective.
func (e Event) Milestone() bool { return e.Kind == EventLaunch || e.Kind == EventComplete }

// SuspicionReason says why a suspicious record is shown to instructors:
// shared_flag when the answer was another trainee's flag, otherwise its
// marks (fast_solve, no_session).
func (e Event) SuspicionReason() string {
	if e.SharedWith != "" {
		return "shared_flag"
	}
	return e.Note
}

// WalkthroughAvailable reports whether the trainee may reveal the
// objective's walkthrough.
func (st ObjectiveState) WalkthroughAvailable() bool { return st.Objective.Walkthrough != "" }

// objectiveState is one objective as the trainee whose records these are
// sees it.
func objectiveState(o Objective, hints []Hint, events []Event) ObjectiveState {
	st := ObjectiveState{Objective: o, AttemptsLeft: attemptsLeft(o, events)}
	for _, e := range events {
		if e.ObjectiveID != o.ID {
			continue
		}
		st.Solved = st.Solved || e.Solves()
		st.Revealed = st.Revealed || e.Kind == EventReveal
	}
	for _, h := range hints {
		if h.ObjectiveID != o.ID {
			continue
		}
		hs := HintState{ID: h.ID, Cost: h.Cost}
		if hintTaken(h, events) {
			hs.Unlocked, hs.Text = true, h.Text
		} else if st.Solved {
			continue // no longer offered; see hintWithdrawn
		}
		st.Hints = append(st.Hints, hs)
	}
	return st
}

// hintTaken reports whether the trainee has unlocked the hint.
func hintTaken(h Hint, events []Event) bool {
	for _, e := range events {
		if e.Kind == EventHint && e.HintID == h.ID {
			return true
		}
	}
	return false
}

// hintWithdrawn reports whether a hint is no longer offered: its objective
// is solved and the hint was not taken before. One taken stays readable.
func hintWithdrawn(h Hint, events []Event) bool {
	if hintTaken(h, events) {
		return false
	}
	for _, e := range events {
		if e.ObjectiveID == h.ObjectiveID && e.Solves() {
			return true
		}
	}
	return false
}

// attemptsLeft counts wrong submissions against the objective's limit.
func attemptsLeft(o Objective, events []Event) int {
	if o.MaxAttempts == 0 {
		return -1
	}
	left := o.MaxAttempts
	for _, e := range events {
		if e.Kind == EventSubmission && e.ObjectiveID == o.ID && !e.Correct {
			left--
		}
	}
	return max(left, 0)
}
