package scoring

// Outcome is what an attempt at an objective came to. Result.Message says
// it in English; the web layer says it in the reader's language from the
// outcome, so the sentences of every language stay in step.
type Outcome string

const (
	Correct             Outcome = "correct"
	CorrectLate         Outcome = "correct_late" // after the assignment's due date
	AlreadySolved       Outcome = "already_solved"
	Wrong               Outcome = "wrong"
	RuleNotYet          Outcome = "rule_not_yet" // a detection rule; Evidence says why
	CheckNotPassed      Outcome = "check_not_passed"
	AnotherTraineesFlag Outcome = "another_trainees_flag"
	EarlierLabsFlag     Outcome = "earlier_labs_flag"
	// A try at an objective solved before (AlreadySolved when right):
	// judged, but not recorded, for practice.
	PracticeWrong          Outcome = "practice_wrong"
	PracticeRuleNotYet     Outcome = "practice_rule_not_yet" // Evidence says why
	PracticeCheckNotPassed Outcome = "practice_check_not_passed"
)
