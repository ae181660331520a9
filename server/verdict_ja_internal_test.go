package server

import (
	"testing"

	"github.com/sakimori/sakimori/scoring"
)

// Every outcome scoring names has its own Japanese sentence, not the
// English one passed through.
func TestEveryOutcomeIsSaidInJapanese(t *testing.T) {
	for _, o := range []scoring.Outcome{scoring.Correct, scoring.CorrectLate, scoring.AlreadySolved, scoring.Wrong,
		scoring.RuleNotYet, scoring.CheckNotPassed, scoring.AnotherTraineesFlag, scoring.EarlierLabsFlag,
		scoring.PracticeWrong, scoring.PracticeRuleNotYet, scoring.PracticeCheckNotPassed} {
		r := scoring.Result{Outcome: o, Message: "English", Points: 5, Evidence: "misses 1 event"}
		if got := verdictMessage("ja", r); got == "English" || got == "" {
			t.Errorf("outcome %q has no Japanese: %q", o, got)
		}
		if got := verdictMessage("en", r); got != "English" {
			t.Errorf("an English reader of %q got %q", o, got)
		}
	}
}
