package scoring_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// A trainee who relaunches a solved scenario practises: every answer is
// judged as the first time, right or wrong, and none earns points, costs
// an attempt or is recorded.
func TestPracticeAfterASolve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, f := setup(t, db)
		good := "detection:\n  get: {eventName: GetObject}\n  inside: {sourceIPAddress: 10.213.0.11}\n  condition: get and not inside\n"
		for _, solve := range []struct{ objective, answer string }{{"address", "169.254.169.254"}, {"detect-live", good}} {
			if r, err := svc.Submit(ctx, "alice", "la", solve.objective, solve.answer, ""); err != nil || !r.Correct {
				t.Fatalf("first solve of %s: %+v, %v", solve.objective, r, err)
			}
		}
		f.hardened["la"] = true
		if r, err := svc.RunCheck(ctx, "alice", "la", "hardened", ""); err != nil || !r.Correct {
			t.Fatalf("first pass of the check: %+v, %v", r, err)
		}
		f.hardened["la"] = false // a relaunched lab, not yet hardened
		before, _, _ := svc.Score(ctx, "alice")

		for range scoring.LockoutAfter + 1 { // wrong practice never locks out
			r, err := svc.Submit(ctx, "alice", "la", "address", "10.0.0.1", "")
			if err != nil || r.Correct || !r.AlreadySolved || r.Outcome != scoring.PracticeWrong || r.Points != 0 {
				t.Fatalf("a wrong answer to a solved question: %+v, %v", r, err)
			}
		}
		r, err := svc.Submit(ctx, "alice", "la", "address", "169.254.169.254", "")
		if err != nil || !r.Correct || r.Outcome != scoring.AlreadySolved || r.Points != 0 {
			t.Fatalf("the right answer again: %+v, %v", r, err)
		}
		narrow := "detection:\n  s: {eventName: GetObject, sourceIPAddress: 198.51.100.7}\n  condition: s\n"
		r, err = svc.Submit(ctx, "alice", "la", "detect-live", narrow, "")
		if err != nil || r.Correct || r.Outcome != scoring.PracticeRuleNotYet || !strings.Contains(r.Message, "1 of 2 malicious") {
			t.Fatalf("a narrow rule for a solved detection: %+v, %v", r, err)
		}
		r, err = svc.RunCheck(ctx, "alice", "la", "hardened", "")
		if err != nil || r.Correct || r.Outcome != scoring.PracticeCheckNotPassed || !strings.Contains(r.Evidence, "tokens not required") {
			t.Fatalf("a solved check in a lab not hardened again: %+v, %v", r, err)
		}
		if after, _, _ := svc.Score(ctx, "alice"); after != before {
			t.Fatalf("practice changed the score from %d to %d", before, after)
		}
		states, _ := svc.Objectives(ctx, "alice", "la")
		for _, st := range states {
			if st.Objective.ID == "address" && !st.Solved {
				t.Fatal("practice unsolved an objective")
			}
		}
	})
}
