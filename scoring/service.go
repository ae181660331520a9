package scoring

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/scoring/sigma"
)

// Service scores submissions and hints.
type Service struct {
	labs     Labs
	store    Store
	watched  *watchedStore // store, telling a watcher of each record
	now      func() time.Time
	freezeAt time.Time // trainees see the scoreboard as it was then

	deadlines Deadlines // see UseDeadlines
	contests  Contests  // see UseContests
	boards    *Boards
}

// Lockout: this many wrong answers to one objective within LockoutWindow
// lock it for the rest of the window. Guessing is slowed; thinking is not.
const (
	LockoutAfter  = 5
	LockoutWindow = time.Minute
)

// NewService makes the scoring service; now may be nil for the wall clock.
func NewService(labs Labs, store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	watched := &watchedStore{Store: store}
	return &Service{labs: labs, store: watched, watched: watched, now: now}
}

// FreezeScoreboard shows trainees the scoreboard as it stood at t (zero:
// never frozen); staff keep seeing it live.
func (s *Service) FreezeScoreboard(t time.Time) { s.freezeAt = t }

// ObjectiveState is an objective as one trainee sees it: no answers.
type ObjectiveState struct {
	Objective    Objective
	Solved       bool
	Revealed     bool // the walkthrough was shown: no points for it now
	AttemptsLeft int  // -1: unlimited
	Hints        []HintState
}

// HintState is a hint as one trainee sees it; Text only once unlocked.
type HintState struct {
	ID       string
	Cost     int
	Unlocked bool
	Text     string
}

// Objectives returns the lab's objectives with the trainee's progress.
func (s *Service) Objectives(ctx context.Context, trainee, instanceID string) ([]ObjectiveState, error) {
	lab, objectives, hints, err := s.open(ctx, trainee, instanceID)
	if err != nil {
		return nil, err
	}
	events, err := s.store.Events(ctx, trainee, lab.ScenarioID)
	if err != nil {
		return nil, err
	}
	out := make([]ObjectiveState, len(objectives))
	for i, o := range objectives {
		out[i] = objectiveState(o, hints, events)
	}
	return out, nil
}

// Result is what a submission earned.
type Result struct {
	Correct       bool
	AlreadySolved bool
	Points        int
	AttemptsLeft  int // -1: unlimited
	Message       string
	Outcome       Outcome // what Message says, for saying it in another language
	Evidence      string  // a check's output
}

// Submit checks an answer for one objective of the trainee's running lab
// and records it. A solved objective stays solved: submitting it again
// (after a crash, a retry, a second click) earns nothing more.
func (s *Service) Submit(ctx context.Context, trainee, instanceID, objectiveID, answer, ip string) (Result, error) {
	if answer == "" {
		return Result{}, ErrAnswerRequired
	}
	if utf8.RuneCountInString(answer) > 16384 {
		return Result{}, ErrAnswerTooLong
	}
	lab, o, err := s.runningObjective(ctx, trainee, instanceID, objectiveID)
	if err != nil {
		return Result{}, err
	}
	switch o.Kind {
	case KindDetection:
		return s.detection(ctx, lab, o, answer, ip)
	case KindFlag, KindQuestion:
	default:
		return Result{}, ErrNotScoredYet
	}
	if utf8.RuneCountInString(answer) > 1024 {
		return Result{}, ErrAnswerTooLong
	}
	answer = asTyped(answer)
	return s.attempt(ctx, lab, o, ip, func(e *Event) error {
		e.Digest = digest(answer)
		e.Correct = correct(o, s.expected(lab, o), answer)
		if !e.Correct && o.Kind == KindFlag && o.Variable != "" {
			return s.whoseFlag(ctx, lab, o, answer, e)
		}
		return nil
	})
}

// detection grades a Sigma rule over the objective's labelled events: it
// passes if it matches every malicious event and no benign one. A rule
// that cannot be read is refused with the reason and costs no attempt.
func (s *Service) detection(ctx context.Context, lab Lab, o Objective, rule, ip string) (Result, error) {
	r, err := sigma.Parse(rule)
	if err != nil {
		var se *sigma.Error
		if errors.As(err, &se) {
			return Result{}, fault.InvalidField("answer", "rule_invalid", "The rule cannot be used: "+se.Reason+".")
		}
		return Result{}, err
	}
	return s.attempt(ctx, lab, o, ip, func(e *Event) error {
		// The objective's own events and the lab's log are two streams:
		// a correlation rule must not count across them.
		mal, ben := s.inLab(lab, o.Malicious), s.inLab(lab, o.Benign)
		g := r.Evaluate(mal, ben)
		live := ""
		if o.Live != nil {
			m, b, err := s.liveEvents(ctx, lab, o)
			if err != nil {
				return err
			}
			g = g.Plus(r.Evaluate(m, b))
			mal, ben = append(mal, m...), append(ben, b...) // indexed as Plus indexes them
			live = fmt.Sprintf(" (%d of them from this lab's own log: %d malicious, %d benign)", len(m)+len(b), len(m), len(b))
		}
		e.Digest, e.Correct = digest(rule), g.Pass()
		e.Evidence = fmt.Sprintf("matched %d of %d malicious events and %d of %d benign events%s",
			g.MaliciousMatched, g.Malicious, g.BenignMatched, g.Benign, live)
		var missed, wrong map[string]any
		if len(g.Missed) > 0 {
			missed = mal[g.Missed[len(g.Missed)-1]] // the latest: the lab's own where there are any
		}
		if len(g.FalsePositives) > 0 {
			wrong = ben[g.FalsePositives[len(g.FalsePositives)-1]]
		}
		e.Evidence += gradeGist(missed, wrong)
		return nil
	})
}

// liveEvents reads the lab's own log and splits it by the author's truth
// rule into the attack and everything else. Until the log holds the
// attack, there is no grading: ErrAttackNotLoggedYet.
func (s *Service) liveEvents(ctx context.Context, lab Lab, o Objective) (malicious, benign []map[string]any, err error) {
	truth, err := sigma.Parse(o.Live.Truth)
	if err != nil {
		return nil, nil, fmt.Errorf("objective %s: its truth rule: %w", o.ID, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	events, err := s.labs.ReadEvents(cctx, lab, o.Live.Host, o.Live.Command)
	if err != nil {
		return nil, nil, fault.Wrap(ErrCheckUnavailable, err)
	}
	flags := truth.Flags(events) // the log as one stream: a correlation truth rule sees it whole
	for i, ev := range events {
		if flags[i] {
			malicious = append(malicious, ev)
		} else {
			benign = append(benign, ev)
		}
	}
	if len(malicious) == 0 {
		// Graded now, a rule that missed the attack would pass: there is
		// nothing in the log yet for it to miss.
		return nil, nil, ErrAttackNotLoggedYet
	}
	return malicious, benign, nil
}

// RunCheck runs a check objective's command in its lab host: exit 0
// passes; the output is kept with the record as evidence.
func (s *Service) RunCheck(ctx context.Context, trainee, instanceID, objectiveID, ip string) (Result, error) {
	lab, o, err := s.runningObjective(ctx, trainee, instanceID, objectiveID)
	if err != nil {
		return Result{}, err
	}
	if o.Kind != KindCheck {
		return Result{}, ErrNotScoredYet
	}
	return s.attempt(ctx, lab, o, ip, func(e *Event) error {
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		code, out, err := s.labs.RunCheck(cctx, lab, o.Host, o.Command)
		if err != nil {
			return fault.Wrap(ErrCheckUnavailable, err)
		}
		e.Correct, e.Evidence = code == 0, out
		return nil
	})
}

// attempt records one try at an objective, judged by judge, unless it is
// out of attempts. A try at a solved objective is practice (see practise).
func (s *Service) attempt(ctx context.Context, lab Lab, o Objective, ip string, judge func(*Event) error) (Result, error) {
	now := s.now().UTC()
	past, err := s.store.Attempts(ctx, lab.TraineeID, lab.ScenarioID, o.ID, now.Add(-LockoutWindow))
	if err != nil {
		return Result{}, err
	}
	left := -1
	if o.MaxAttempts > 0 {
		left = max(o.MaxAttempts-past.Wrong, 0)
	}
	if past.Solved {
		return s.practise(ctx, lab, o, ip, left, judge)
	}
	if left == 0 {
		return Result{}, ErrNoAttemptsLeft
	}
	if past.WrongRecent >= LockoutAfter {
		return Result{}, ErrLockedOut
	}
	late, err := s.lateness(ctx, lab, now)
	if err != nil {
		return Result{}, err
	}
	e := Event{
		ID: uuid.Must(uuid.NewV7()).String(), Kind: EventSubmission, TraineeID: lab.TraineeID, InstanceID: lab.ID,
		ScenarioID: lab.ScenarioID, ObjectiveID: o.ID, IP: ip, At: now,
	}
	if err := judge(&e); err != nil {
		return Result{}, err
	}
	if e.Correct && past.Revealed {
		e.Note = "walkthrough_revealed" // solved, for progress; no points
	} else if e.Correct {
		if e.Points, err = s.value(ctx, lab, o, e.At); err != nil {
			return Result{}, err
		}
		if b := o.TimeBonus; b != nil && b.Points > 0 && !lab.StartedAt.IsZero() && e.At.Sub(lab.StartedAt) <= time.Duration(b.Within) {
			e.Points += b.Points
		}
		// Marked for instructors, never punished.
		if !lab.StartedAt.IsZero() && e.At.Sub(lab.StartedAt) < FastSolve {
			e.Note = mark(e.Note, "fast_solve")
		}
		if o.Kind == KindFlag && !lab.Worked {
			e.Note = mark(e.Note, "no_session") // a flag from a lab nobody opened
		}
		late.apply(&e)
	}
	err = s.store.Record(ctx, e)
	if errors.Is(err, ErrDuplicate) { // a concurrent submission solved it first
		return Result{Correct: true, AlreadySolved: true, AttemptsLeft: left, Message: "Already solved.", Outcome: AlreadySolved}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if left > 0 && !e.Correct {
		left--
	}
	outcome, msg := verdict(o.Kind, e)
	return Result{Correct: e.Correct, Points: e.Points, AttemptsLeft: left, Message: msg, Outcome: outcome, Evidence: e.Evidence}, nil
}

func mark(note, m string) string {
	if note == "" {
		return m
	}
	return note + "," + m
}

// FastSolve is how soon after a lab starts a solve is implausible enough
// to show instructors.
const FastSolve = 15 * time.Second

// value is what solving o at `at` is worth: its points, or with dynamic
// scoring CTFd's decay over the solves before this one (within the event
// the solve falls in, if any). The value is fixed into the record at solve
// time, so nobody's past score ever changes.
func (s *Service) value(ctx context.Context, lab Lab, o Objective, at time.Time) (int, error) {
	d := o.Dynamic
	if d == nil && o.FirstSolve <= 0 {
		return o.Points, nil
	}
	before, err := s.solvesBefore(ctx, lab, o, at)
	if err != nil {
		return 0, err
	}
	points := o.Points
	if d != nil && d.Decay > 0 {
		points = Decayed(o.Points, d.Minimum, d.Decay, before)
	}
	if before == 0 {
		points += o.FirstSolve
	}
	return points, nil
}

// Decayed is CTFd's dynamic value: initial for the first solver, falling
// with the square of the solves before, never below minimum.
func Decayed(initial, minimum, decay, solvesBefore int) int {
	v := float64(minimum-initial)/float64(decay*decay)*float64(solvesBefore*solvesBefore) + float64(initial)
	return max(int(math.Ceil(v)), minimum)
}

// expected are the answers that meet o in this lab.
func (s *Service) expected(lab Lab, o Objective) []string {
	if o.Kind == KindFlag && o.Variable != "" {
		return append([]string{s.labs.Value(lab, o.Variable)}, o.Answers...)
	}
	return o.Answers
}

// whoseFlag notes on a wrong flag whether it is another lab's: another
// trainee's (suspected sharing, both named in the record) or one of the
// same trainee's earlier labs (stale). Nothing is punished automatically;
// instructors see the records.
func (s *Service) whoseFlag(ctx context.Context, lab Lab, o Objective, answer string, e *Event) error {
	other, ok, err := s.labs.FlagOwner(ctx, lab.ScenarioID, o.Variable, strings.TrimSpace(answer))
	if err != nil || !ok || other.ID == lab.ID {
		return err
	}
	if other.TraineeID == lab.TraineeID {
		e.Note = "stale_instance"
	} else {
		e.SharedWith = other.TraineeID
	}
	return nil
}

// verdict tells the trainee what their attempt at an objective of kind
// came to: which outcome, and a sentence saying it.
func verdict(kind Kind, e Event) (Outcome, string) {
	switch {
	case e.Correct && slices.Contains(strings.Split(e.Note, ","), "late"):
		return CorrectLate, fmt.Sprintf("Correct, after the due date: +%d points.", e.Points)
	case e.Correct:
		return Correct, fmt.Sprintf("Correct: +%d points.", e.Points)
	case kind == KindDetection:
		return RuleNotYet, "Not yet: the rule " + e.Evidence + "."
	case kind == KindCheck:
		return CheckNotPassed, "The check did not pass yet."
	case e.SharedWith != "":
		return AnotherTraineesFlag, "That flag belongs to another trainee's lab. Every lab has its own."
	case e.Note == "stale_instance":
		return EarlierLabsFlag, "That flag is from one of your earlier labs. This lab has its own."
	}
	return Wrong, "That is not the answer."
}

// UnlockHint reveals a hint, recording its cost once; unlocking it again
// shows it again at no further cost. A hint not taken before its
// objective was solved is no longer offered: it could only cost points.
func (s *Service) UnlockHint(ctx context.Context, trainee, instanceID, hintID, ip string) (HintState, error) {
	lab, _, hints, err := s.open(ctx, trainee, instanceID)
	if err != nil {
		return HintState{}, err
	}
	var hint *Hint
	for i := range hints {
		if hints[i].ID == hintID {
			hint = &hints[i]
		}
	}
	if hint == nil {
		return HintState{}, ErrHintUnknown
	}
	events, err := s.store.Events(ctx, trainee, lab.ScenarioID)
	if err != nil {
		return HintState{}, err
	}
	if hintWithdrawn(*hint, events) {
		return HintState{}, ErrHintAfterSolve
	}
	err = s.store.Record(ctx, Event{
		ID: uuid.Must(uuid.NewV7()).String(), Kind: EventHint, TraineeID: trainee, InstanceID: lab.ID,
		ScenarioID: lab.ScenarioID, ObjectiveID: hint.ObjectiveID, HintID: hint.ID, Points: -hint.Cost, IP: ip, At: s.now().UTC(),
	})
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return HintState{}, err
	}
	return HintState{ID: hint.ID, Cost: hint.Cost, Unlocked: true, Text: hint.Text}, nil
}

// Reveal shows an objective's walkthrough. From then on, solving it counts
// as progress but earns no points; revealing twice changes nothing.
func (s *Service) Reveal(ctx context.Context, trainee, instanceID, objectiveID, ip string) (string, error) {
	lab, objectives, _, err := s.open(ctx, trainee, instanceID)
	if err != nil {
		return "", err
	}
	o, ok := find(objectives, objectiveID)
	if !ok {
		return "", ErrObjectiveUnknown
	}
	if o.Walkthrough == "" {
		return "", ErrNoWalkthrough
	}
	err = s.store.Record(ctx, Event{
		ID: uuid.Must(uuid.NewV7()).String(), Kind: EventReveal, TraineeID: trainee, InstanceID: lab.ID,
		ScenarioID: lab.ScenarioID, ObjectiveID: o.ID, IP: ip, At: s.now().UTC(),
	})
	if err != nil && !errors.Is(err, ErrDuplicate) {
		return "", err
	}
	return o.Walkthrough, nil
}

// Progress is a trainee's records that count toward their progress,
// oldest first: see Event.Progresses.
func (s *Service) Progress(ctx context.Context, trainee string) ([]Event, error) {
	events, err := s.store.Events(ctx, trainee, "")
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(events, func(e Event) bool { return !e.Progresses() }), nil
}

// History is every record of one trainee, for instructors.
func (s *Service) History(ctx context.Context, trainee string) ([]Event, error) {
	return s.store.Events(ctx, trainee, "")
}

// ClassHistory is the records of many trainees in one scenario, each
// trainee's oldest first, read at once: a class's live view.
func (s *Service) ClassHistory(ctx context.Context, trainees []string, scenarioID string) ([]Event, error) {
	return s.store.ClassEvents(ctx, trainees, scenarioID)
}

// Score is a trainee's points (solves minus hints) and objectives solved.
func (s *Service) Score(ctx context.Context, trainee string) (points, solved int, err error) {
	return s.store.Score(ctx, trainee)
}

// Scoreboard ranks the top trainees, range-wide or for one scenario. Once
// the board is frozen, only staff (live) see changes made after the freeze.
func (s *Service) Scoreboard(ctx context.Context, scenarioID string, limit int, staff bool) ([]Standing, bool, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var until time.Time
	frozen := !s.freezeAt.IsZero() && s.now().After(s.freezeAt) && !staff
	if frozen {
		until = s.freezeAt
	}
	board, err := s.store.Scoreboard(ctx, scenarioID, limit, until)
	for i := range board {
		board[i].Rank = i + 1
	}
	return board, frozen, err
}

// Suspicions lists suspected flag sharing, for instructors.
func (s *Service) Suspicions(ctx context.Context) ([]Event, error) {
	return s.store.Suspicions(ctx, 200)
}

// open loads a lab the trainee owns, with its scenario's objectives.
func (s *Service) open(ctx context.Context, trainee, instanceID string) (Lab, []Objective, []Hint, error) {
	lab, err := s.labs.Lab(ctx, instanceID)
	if err != nil {
		return Lab{}, nil, nil, err
	}
	if lab.TraineeID != trainee {
		return Lab{}, nil, nil, ErrLabNotFound // another's lab does not exist for you
	}
	objectives, hints, err := s.labs.Objectives(lab.ScenarioID)
	return lab, objectives, hints, err
}

// runningObjective loads one objective of the trainee's lab, which must be
// running: answers and checks are taken only then.
func (s *Service) runningObjective(ctx context.Context, trainee, instanceID, objectiveID string) (Lab, Objective, error) {
	lab, objectives, _, err := s.open(ctx, trainee, instanceID)
	if err != nil {
		return Lab{}, Objective{}, err
	}
	if !lab.Running {
		return Lab{}, Objective{}, ErrLabNotRunning
	}
	o, ok := find(objectives, objectiveID)
	if !ok {
		return Lab{}, Objective{}, ErrObjectiveUnknown
	}
	return lab, o, nil
}

func find(objectives []Objective, id string) (Objective, bool) {
	for _, o := range objectives {
		if o.ID == id {
			return o, true
		}
	}
	return Objective{}, false
}
