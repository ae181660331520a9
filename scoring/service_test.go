package scoring_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/manifest"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

var ctx = context.Background()

// labsOf is scoring's view of labs for these tests; the real adapter over
// the lab store is exercised by the API tests.
type labsOf struct {
	mu       sync.Mutex
	labs     map[string]scoring.Lab
	hardened map[string]bool
}

func (f *labsOf) Lab(_ context.Context, id string) (scoring.Lab, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.labs[id]
	if !ok {
		return scoring.Lab{}, scoring.ErrLabNotFound
	}
	return l, nil
}

func (f *labsOf) Objectives(string) ([]scoring.Objective, []scoring.Hint, error) {
	return []scoring.Objective{
			{ID: "own-flag", Kind: scoring.KindFlag, Points: 100, Variable: "flag", MaxAttempts: 3},
			{ID: "static", Kind: scoring.KindFlag, Points: 50, Answers: []string{"CTF{Static}"}, Match: scoring.MatchCaseInsensitive},
			{ID: "banner", Kind: scoring.KindFlag, Points: 50, Answers: []string{"CTF{banner}"},
				Walkthrough: "The flag is printed on the login banner.", FirstSolve: 5},
			{ID: "regex", Kind: scoring.KindFlag, Points: 30, Answers: []string{`CTF\{[0-9]{4}\}`}, Match: scoring.MatchRegex},
			{ID: "address", Kind: scoring.KindQuestion, Points: 20, Answers: []string{"169.254.169.254"}},
			{ID: "service", Kind: scoring.KindQuestion, Points: 10, Answers: []string{"s3", "S3 bucket"}},
			{ID: "pi", Kind: scoring.KindQuestion, Points: 5, Answers: []string{"3.14"}, Match: scoring.MatchNumeric, Tolerance: 0.01},
			{ID: "technique", Kind: scoring.KindQuestion, Points: 15, Choices: []string{"T1190", "T1552.005", "T1485"}, Answers: []string{"T1552.005"},
				TimeBonus: &scoring.Bonus{Within: manifest.Duration(10 * time.Minute), Points: 5}},
			{ID: "hardened", Kind: scoring.KindCheck, Points: 40, Host: "instance", Command: []string{"check-imds"}},
			{ID: "detect", Kind: scoring.KindDetection, Points: 60, MaxAttempts: 2,
				Malicious: []map[string]any{{"eventName": "GetObject", "sourceIPAddress": "198.51.100.7"}},
				Benign:    []map[string]any{{"eventName": "GetObject", "sourceIPAddress": "10.213.0.11"}}},
			{ID: "detect-key", Kind: scoring.KindDetection, Points: 60,
				Malicious: []map[string]any{{"eventName": "RunInstances", "userIdentity": map[string]any{"accessKeyId": "${var.ci_key}"}}},
				Benign:    []map[string]any{{"eventName": "RunInstances", "userIdentity": map[string]any{"accessKeyId": "AKIAOTHERKEY"}}}},
			{ID: "detect-live", Kind: scoring.KindDetection, Points: 60,
				Malicious: []map[string]any{{"eventName": "GetObject", "sourceIPAddress": "198.51.100.7"}},
				Benign:    []map[string]any{{"eventName": "GetObject", "sourceIPAddress": "10.213.0.11"}},
				Live: &scoring.LiveEvents{Host: "cloud", Command: []string{"sakimori-sim", "trail"},
					Truth: "detection:\n  sel:\n    eventName: GetObject\n  inside:\n    sourceIPAddress: 10.213.0.11\n  condition: sel and not inside\n"}},
		}, []scoring.Hint{
			{ID: "h1", ObjectiveID: "own-flag", Text: "Look at the web host.", Cost: 10},
		}, nil
}

func (f *labsOf) Value(l scoring.Lab, variable string) string {
	return "FLAG{" + l.ID + "-" + variable + "}"
}

// ReadEvents is the lab's own log: an attack from an address the fixed
// events never mention, and the lab's normal work; a lab named "down" has
// no log to read.
func (f *labsOf) ReadEvents(_ context.Context, l scoring.Lab, host string, cmd []string) ([]map[string]any, error) {
	if l.ID == "down" || host != "cloud" {
		return nil, errors.New("engine gone")
	}
	if l.ID == "quiet" { // the intruder has not acted yet
		return []map[string]any{{"eventName": "GetObject", "sourceIPAddress": "10.213.0.11"}}, nil
	}
	return []map[string]any{
		{"eventName": "GetObject", "sourceIPAddress": "203.0.113.9"},
		{"eventName": "GetObject", "sourceIPAddress": "10.213.0.11"},
		{"eventName": "ListBuckets", "sourceIPAddress": "203.0.113.9"},
	}, nil
}

// RunCheck passes once the lab's "hardened" mark is set, and fails to run
// at all for a lab named "down".
func (f *labsOf) RunCheck(_ context.Context, l scoring.Lab, host string, cmd []string) (int, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l.ID == "down" {
		return -1, "", errors.New("engine gone")
	}
	if f.hardened[l.ID] {
		return 0, "metadata: 401", nil
	}
	return 1, "metadata: 200 (tokens not required)", nil
}

func (f *labsOf) FlagOwner(_ context.Context, scenario, variable, value string) (scoring.Lab, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range f.labs {
		if l.ScenarioID == scenario && f.Value(l, variable) == value {
			return l, true, nil
		}
	}
	return scoring.Lab{}, false, nil
}

func setup(t *testing.T, db *store.DB) (*scoring.Service, *labsOf) {
	for _, id := range []string{"alice", "bob"} {
		err := db.Accounts().CreateUser(ctx, accounts.User{ID: id, Email: id + "@range.test", DisplayName: id, Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	f := &labsOf{labs: map[string]scoring.Lab{
		"la":   {ID: "la", TraineeID: "alice", ScenarioID: "s1", Running: true, Worked: true},
		"la0":  {ID: "la0", TraineeID: "alice", ScenarioID: "s1", Running: false, Worked: true}, // alice's earlier, stopped lab
		"lb":   {ID: "lb", TraineeID: "bob", ScenarioID: "s1", Running: true, Worked: true},
		"down": {ID: "down", TraineeID: "bob", ScenarioID: "s2", Running: true},
	}, hardened: map[string]bool{}}
	return scoring.NewService(f, db.Scoring(), nil), f
}

func TestEveryObjectiveKind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		cases := []struct {
			objective, answer string
			correct           bool
		}{
			{"own-flag", "FLAG{lb-flag}", false}, // bob's
			{"own-flag", " FLAG{la-flag} ", true},
			{"static", "ctf{static}", true},
			{"regex", "CTF{12345}", false},
			{"regex", "CTF{2019}", true},
			{"address", "169.254.169.25", false},
			{"address", "169.254.169.254", true},
			{"service", "S3", false}, // exact: case matters
			{"service", "S3 bucket", true},
			{"pi", "3.2", false},
			{"pi", "3.141", true},
			{"technique", "T1190", false},
			{"technique", "T1552.005", true},
			// As typed through a Japanese IME in full-width mode.
			{"own-flag", "ＦＬＡＧ｛ｌａ－ｆｌａｇ｝", true},
			{"banner", "ｃｔｆ｛ｂａｎｎｅｒ｝", false}, // exact: full-width lower case is still lower case
			{"banner", "ＣＴＦ｛ｂａｎｎｅｒ｝", true},
			{"regex", "ＣＴＦ｛２０２４｝", true},
			{"pi", "３．１４", true},
			{"address", "１６９．２５４．１６９．２５４", true},
		}
		for _, tc := range cases {
			r, err := svc.Submit(ctx, "alice", "la", tc.objective, tc.answer, "127.0.0.1")
			if err != nil || r.Correct != tc.correct {
				t.Errorf("%s %q: correct=%v, %v; want %v", tc.objective, tc.answer, r.Correct, err, tc.correct)
			}
		}
		points, solved, _ := svc.Score(ctx, "alice")
		if points != 100+50+30+20+10+5+15+50+5 || solved != 8 { // no time bonus: the lab's start is unknown
			t.Errorf("score %d from %d solves", points, solved)
		}
	})
}

// TestFlagAbuse is docs/security.md case 10: another trainee's flag, a flag
// from a destroyed lab, and a lab that is not running.
func TestFlagAbuse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		r, err := svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{lb-flag}", "10.0.0.5")
		if err != nil || r.Correct || !strings.Contains(r.Message, "another trainee") {
			t.Fatalf("bob's flag from alice: %+v, %v", r, err)
		}
		sus, _ := svc.Suspicions(ctx)
		if len(sus) != 1 || sus[0].TraineeID != "alice" || sus[0].SharedWith != "bob" || sus[0].IP != "10.0.0.5" || sus[0].Digest == "" {
			t.Fatalf("suspicion not recorded with both trainees: %+v", sus)
		}
		if strings.Contains(sus[0].Digest, "FLAG") {
			t.Fatal("the flag itself was stored")
		}
		r, _ = svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{la0-flag}", "")
		if r.Correct || !strings.Contains(r.Message, "earlier labs") {
			t.Fatalf("alice's old flag: %+v", r)
		}
		if _, err := svc.Submit(ctx, "alice", "la0", "own-flag", "FLAG{la0-flag}", ""); !errors.Is(err, scoring.ErrLabNotRunning) {
			t.Fatalf("submission to a stopped lab: %v", err)
		}
		if _, err := svc.Submit(ctx, "alice", "lb", "own-flag", "FLAG{lb-flag}", ""); !errors.Is(err, scoring.ErrLabNotFound) {
			t.Fatalf("submission to bob's lab: %v", err)
		}
		if _, err := svc.Submit(ctx, "alice", "la", "own-flag", "", ""); !errors.Is(err, scoring.ErrAnswerRequired) {
			t.Fatalf("empty answer: %v", err)
		}
		if _, err := svc.Submit(ctx, "alice", "la", "own-flag", strings.Repeat("x", 2000), ""); !errors.Is(err, scoring.ErrAnswerTooLong) {
			t.Fatalf("huge answer: %v", err)
		}
		if _, err := svc.Submit(ctx, "alice", "la", "nope", "x", ""); !errors.Is(err, scoring.ErrObjectiveUnknown) {
			t.Fatalf("unknown objective: %v", err)
		}
		// Two wrong so far, one attempt left; the third wrong one uses it.
		r, _ = svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{guess}", "")
		if r.AttemptsLeft != 0 {
			t.Fatalf("attempts left %d", r.AttemptsLeft)
		}
		if _, err := svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{la-flag}", ""); !errors.Is(err, scoring.ErrNoAttemptsLeft) {
			t.Fatalf("after the last attempt: %v", err)
		}
	})
}

// TestSolvesCountOnce: a retried, repeated or concurrent correct submission
// (after a crash, a double click) never doubles points; a new service over
// the same records (a restart) sees the same score.
func TestSolvesCountOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, f := setup(t, db)
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r, err := svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{la-flag}", ""); err != nil || !r.Correct {
					t.Errorf("concurrent correct submission: %+v, %v", r, err)
				}
			}()
		}
		wg.Wait()
		restarted := scoring.NewService(f, db.Scoring(), nil)
		r, err := restarted.Submit(ctx, "alice", "la", "own-flag", "FLAG{la-flag}", "")
		if err != nil || !r.AlreadySolved || r.Points != 0 {
			t.Fatalf("resubmission after a restart: %+v, %v", r, err)
		}
		if points, solved, _ := restarted.Score(ctx, "alice"); points != 100 || solved != 1 {
			t.Fatalf("score %d from %d solves; want 100 from 1", points, solved)
		}
	})
}

func TestHintsCostOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		before, _ := svc.Objectives(ctx, "alice", "la")
		if h := before[0].Hints[0]; h.Unlocked || h.Text != "" || h.Cost != 10 {
			t.Fatalf("a locked hint shows %+v", h)
		}
		for range 2 {
			h, err := svc.UnlockHint(ctx, "alice", "la", "h1", "")
			if err != nil || h.Text != "Look at the web host." {
				t.Fatalf("unlock: %+v, %v", h, err)
			}
		}
		if _, err := svc.UnlockHint(ctx, "alice", "la", "h9", ""); !errors.Is(err, scoring.ErrHintUnknown) {
			t.Fatalf("unknown hint: %v", err)
		}
		svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{la-flag}", "")
		after, _ := svc.Objectives(ctx, "alice", "la")
		if !after[0].Solved || !after[0].Hints[0].Unlocked || after[0].Hints[0].Text == "" {
			t.Fatalf("progress: %+v", after[0])
		}
		if points, _, _ := svc.Score(ctx, "alice"); points != 90 {
			t.Fatalf("score %d, want 100 - 10", points)
		}
	})
}

// Once an objective is solved its untaken hints are neither offered nor
// charged: a hint can no longer help, it could only cost points.
func TestHintsEndWithTheSolve(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		if r, err := svc.Submit(ctx, "bob", "lb", "own-flag", "FLAG{lb-flag}", ""); err != nil || !r.Correct {
			t.Fatalf("solve: %+v, %v", r, err)
		}
		if _, err := svc.UnlockHint(ctx, "bob", "lb", "h1", ""); !errors.Is(err, scoring.ErrHintAfterSolve) {
			t.Fatalf("a hint after the solve: %v, want %v", err, scoring.ErrHintAfterSolve)
		}
		if points, _, _ := svc.Score(ctx, "bob"); points != 100 {
			t.Fatalf("score %d after a refused hint, want 100", points)
		}
		after, _ := svc.Objectives(ctx, "bob", "lb")
		if !after[0].Solved || len(after[0].Hints) != 0 {
			t.Fatalf("a solved objective still offers hints: %+v", after[0])
		}
	})
}

func TestCheckObjectives(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, f := setup(t, db)
		r, err := svc.RunCheck(ctx, "alice", "la", "hardened", "")
		if err != nil || r.Correct || !strings.Contains(r.Evidence, "tokens not required") {
			t.Fatalf("check before hardening: %+v, %v", r, err)
		}
		f.mu.Lock()
		f.hardened["la"] = true
		f.mu.Unlock()
		r, err = svc.RunCheck(ctx, "alice", "la", "hardened", "")
		if err != nil || !r.Correct || r.Points != 40 || r.Evidence != "metadata: 401" {
			t.Fatalf("check after hardening: %+v, %v", r, err)
		}
		if r, _ := svc.RunCheck(ctx, "alice", "la", "hardened", ""); !r.AlreadySolved {
			t.Fatal("a passed check scored twice")
		}
		if _, err := svc.RunCheck(ctx, "alice", "la", "address", ""); !errors.Is(err, scoring.ErrNotScoredYet) {
			t.Fatalf("a question run as a check: %v", err)
		}
		if _, err := svc.Submit(ctx, "alice", "la", "hardened", "done", ""); !errors.Is(err, scoring.ErrNotScoredYet) {
			t.Fatalf("a check answered by typing: %v", err)
		}
		if _, err := svc.RunCheck(ctx, "bob", "down", "hardened", ""); !errors.Is(err, scoring.ErrCheckUnavailable) {
			t.Fatalf("check with the engine gone: %v", err)
		}
		if events, _ := db.Scoring().Events(ctx, "bob", "s2"); len(events) != 0 {
			t.Fatal("a check that could not run was recorded as a failure")
		}
	})
}

func TestScoreboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clock := time.Now()
		f := &labsOf{labs: map[string]scoring.Lab{
			"la": {ID: "la", TraineeID: "alice", ScenarioID: "s1", Running: true, Worked: true},
			"lb": {ID: "lb", TraineeID: "bob", ScenarioID: "s1", Running: true, Worked: true},
		}, hardened: map[string]bool{}}
		setup(t, db)
		svc := scoring.NewService(f, db.Scoring(), func() time.Time { clock = clock.Add(time.Second); return clock })
		svc.Submit(ctx, "bob", "lb", "static", "CTF{static}", "")        // bob: 50, first
		svc.Submit(ctx, "alice", "la", "static", "CTF{static}", "")      // alice: 50, later
		svc.Submit(ctx, "alice", "la", "address", "169.254.169.254", "") // alice: 70
		svc.UnlockHint(ctx, "alice", "la", "h1", "")                     // alice: 60
		svc.Submit(ctx, "bob", "lb", "service", "s3", "")                // bob: 60, alice got there first

		board, _, err := svc.Scoreboard(ctx, "", 10, false)
		if err != nil || len(board) != 2 {
			t.Fatalf("scoreboard: %+v, %v", board, err)
		}
		if board[0].TraineeID != "alice" || board[0].Points != 60 || board[0].Solved != 2 || board[0].DisplayName != "alice" ||
			board[1].TraineeID != "bob" || board[1].Points != 60 || board[0].LastSolveAt.IsZero() {
			t.Fatalf("order or totals wrong (ties go to who got there first): %+v", board)
		}
		if other, _, _ := svc.Scoreboard(ctx, "another-scenario", 10, false); len(other) != 0 {
			t.Fatalf("scenario filter: %+v", other)
		}
	})
}

func TestDecayedFollowsCTFd(t *testing.T) {
	// initial 500, minimum 100, reaching the minimum after 20 solves
	for before, want := range map[int]int{0: 500, 1: 499, 5: 475, 10: 400, 19: 139, 20: 100, 40: 100} {
		if got := scoring.Decayed(500, 100, 20, before); got != want {
			t.Errorf("after %d solves: %d, want %d", before, got, want)
		}
	}
}

func TestDynamicValueIsFixedAtSolveTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		dyn := &dynamicLabs{labsOf: f}
		svc := scoring.NewService(dyn, db.Scoring(), nil)
		first, _ := svc.Submit(ctx, "bob", "lb", "static", "CTF{static}", "")
		second, _ := svc.Submit(ctx, "alice", "la", "static", "CTF{static}", "")
		if first.Points != 100 || second.Points != 75 {
			t.Fatalf("first %d, second %d; want 100 then 75", first.Points, second.Points)
		}
		if p, _, _ := svc.Score(ctx, "bob"); p != 100 {
			t.Fatalf("the first solver's points changed to %d", p)
		}
	})
}

// dynamicLabs makes "static" a dynamic objective: 100 down to 0 over 2 solves.
type dynamicLabs struct{ *labsOf }

func (d *dynamicLabs) Objectives(s string) ([]scoring.Objective, []scoring.Hint, error) {
	objs, hints, err := d.labsOf.Objectives(s)
	for i := range objs {
		if objs[i].ID == "static" {
			objs[i].Points, objs[i].Dynamic = 100, &scoring.Decay{Minimum: 0, Decay: 2}
		}
	}
	return objs, hints, err
}

func TestFastSolvesAreMarked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, f := setup(t, db)
		f.mu.Lock()
		f.labs["la"] = scoring.Lab{ID: "la", TraineeID: "alice", ScenarioID: "s1", Running: true, Worked: true, StartedAt: time.Now().Add(-3 * time.Second)}
		f.labs["lb"] = scoring.Lab{ID: "lb", TraineeID: "bob", ScenarioID: "s1", Running: true, Worked: true, StartedAt: time.Now().Add(-10 * time.Minute)}
		f.mu.Unlock()
		svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{la-flag}", "")
		svc.Submit(ctx, "bob", "lb", "own-flag", "FLAG{lb-flag}", "")
		sus, _ := svc.Suspicions(ctx)
		if len(sus) != 1 || sus[0].TraineeID != "alice" || sus[0].Note != "fast_solve" || sus[0].Points != 100 {
			t.Fatalf("fast solves: %+v", sus)
		}
	})
}

func TestDetectionObjectives(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		noisy := "detection:\n  s: {eventName: GetObject}\n  condition: s\n"
		r, err := svc.Submit(ctx, "alice", "la", "detect", noisy, "")
		if err != nil || r.Correct || !strings.Contains(r.Message, "1 of 1 benign") {
			t.Fatalf("a noisy rule: %+v, %v", r, err)
		}
		if _, err := svc.Submit(ctx, "alice", "la", "detect", "detection:\n  s: {x|base64: y}\n  condition: s\n", ""); err == nil ||
			!strings.Contains(err.Error(), "base64 modifier is not supported") {
			t.Fatalf("an unsupported rule: %v", err)
		}
		good := "title: Stolen role key used from outside\ndetection:\n  get: {eventName: GetObject}\n  inside: {sourceIPAddress|startswith: '10.213.'}\n  condition: get and not inside\n"
		r, err = svc.Submit(ctx, "alice", "la", "detect", good, "")
		if err != nil || !r.Correct || r.Points != 60 {
			t.Fatalf("a good rule after one wrong and one unreadable (which costs nothing): %+v, %v", r, err)
		}
	})
}

// A detection with live events is graded on the lab's own log as well: a
// rule that fits only the fixed events misses the attack the lab logged.
func TestDetectionOnTheLabsOwnLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		narrow := "detection:\n  s: {eventName: GetObject, sourceIPAddress: 198.51.100.7}\n  condition: s\n"
		r, err := svc.Submit(ctx, "alice", "la", "detect-live", narrow, "")
		if err != nil || r.Correct || !strings.Contains(r.Message, "1 of 2 malicious") || !strings.Contains(r.Message, "from this lab's own log: 1 malicious, 2 benign") {
			t.Fatalf("a rule fitted to the fixed events: %+v, %v", r, err)
		}
		good := "detection:\n  get: {eventName: GetObject}\n  inside: {sourceIPAddress: 10.213.0.11}\n  condition: get and not inside\n"
		if r, err = svc.Submit(ctx, "alice", "la", "detect-live", good, ""); err != nil || !r.Correct {
			t.Fatalf("a rule for the attack: %+v, %v", r, err)
		}
		if _, err := svc.Submit(ctx, "bob", "down", "detect-live", good, ""); !errors.Is(err, scoring.ErrCheckUnavailable) {
			t.Fatalf("a lab whose log cannot be read: %v", err)
		}
	})
}

// Before the intruder's events are in the lab's log, no rule is graded:
// one that misses the attack would pass on a log without it.
func TestDetectionWaitsForTheAttackInTheLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, f := setup(t, db)
		f.labs["quiet"] = scoring.Lab{ID: "quiet", TraineeID: "bob", ScenarioID: "s3", Running: true}
		blind := "detection:\n  s: {eventName: GetObject, sourceIPAddress: 198.51.100.7}\n  condition: s\n"
		if _, err := svc.Submit(ctx, "bob", "quiet", "detect-live", blind, ""); !errors.Is(err, scoring.ErrAttackNotLoggedYet) {
			t.Fatalf("a rule graded before the attack was logged: %v", err)
		}
		if a, _ := db.Scoring().Attempts(ctx, "bob", "s3", "detect-live", time.Time{}); a.Wrong != 0 || a.Solved {
			t.Fatalf("waiting for the attack cost an attempt: %+v", a)
		}
	})
}

// A detection's fixed events may name the lab's own values: a rule on the
// lab's real key id fits them, one on another lab's does not.
func TestDetectionEventsCarryTheLabsValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		rule := func(key string) string {
			return "detection:\n  s: {eventName: RunInstances, userIdentity.accessKeyId: '" + key + "'}\n  condition: s\n"
		}
		if r, err := svc.Submit(ctx, "alice", "la", "detect-key", rule("FLAG{lb-ci_key}"), ""); err != nil || r.Correct {
			t.Fatalf("a rule on another lab's key: %+v, %v", r, err)
		}
		if r, err := svc.Submit(ctx, "alice", "la", "detect-key", rule("FLAG{la-ci_key}"), ""); err != nil || !r.Correct {
			t.Fatalf("a rule on the lab's own key: %+v, %v", r, err)
		}
	})
}

func TestWalkthroughForfeitsAndFirstSolveBonus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		first, _ := svc.Submit(ctx, "bob", "lb", "banner", "CTF{banner}", "")
		if first.Points != 55 {
			t.Fatalf("first solver got %d, want 50 + 5 bonus", first.Points)
		}
		text, err := svc.Reveal(ctx, "alice", "la", "banner", "")
		if err != nil || !strings.Contains(text, "login banner") {
			t.Fatalf("reveal: %q, %v", text, err)
		}
		svc.Reveal(ctx, "alice", "la", "banner", "") // twice changes nothing
		r, err := svc.Submit(ctx, "alice", "la", "banner", "CTF{banner}", "")
		if err != nil || !r.Correct || r.Points != 0 {
			t.Fatalf("solve after reveal: %+v, %v", r, err)
		}
		states, _ := svc.Objectives(ctx, "alice", "la")
		for _, st := range states {
			if st.Objective.ID == "banner" && (!st.Solved || !st.Revealed) {
				t.Fatalf("progress after reveal: %+v", st)
			}
		}
		if points, solved, _ := svc.Score(ctx, "alice"); points != 0 || solved != 1 {
			t.Fatalf("alice: %d points, %d solved", points, solved)
		}
		if _, err := svc.Reveal(ctx, "alice", "la", "address", ""); !errors.Is(err, scoring.ErrNoWalkthrough) {
			t.Fatalf("reveal without a walkthrough: %v", err)
		}
		history, _ := svc.History(ctx, "alice")
		if len(history) != 2 || history[0].Kind != scoring.EventReveal || history[1].Note != "walkthrough_revealed" {
			t.Fatalf("history: %+v", history)
		}
	})
}

func TestLockoutAfterABurstOfWrongAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		now := time.Now()
		svc := scoring.NewService(f, db.Scoring(), func() time.Time { return now })
		for i := range scoring.LockoutAfter {
			if _, err := svc.Submit(ctx, "alice", "la", "address", "10.0.0.1", ""); err != nil {
				t.Fatalf("wrong answer %d: %v", i+1, err)
			}
		}
		if _, err := svc.Submit(ctx, "alice", "la", "address", "169.254.169.254", ""); !errors.Is(err, scoring.ErrLockedOut) {
			t.Fatalf("during the lockout: %v", err)
		}
		if r, err := svc.Submit(ctx, "alice", "la", "service", "s3", ""); err != nil || !r.Correct {
			t.Fatalf("another objective is not locked: %+v, %v", r, err)
		}
		now = now.Add(scoring.LockoutWindow + time.Second)
		if r, err := svc.Submit(ctx, "alice", "la", "address", "169.254.169.254", ""); err != nil || !r.Correct {
			t.Fatalf("after the window: %+v, %v", r, err)
		}
	})
}

func TestFrozenScoreboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, f := setup(t, db)
		now := time.Now()
		svc := scoring.NewService(f, db.Scoring(), func() time.Time { return now })
		svc.Submit(ctx, "alice", "la", "static", "CTF{static}", "")
		now = now.Add(time.Minute)
		svc.FreezeScoreboard(now)
		now = now.Add(time.Minute)
		svc.Submit(ctx, "bob", "lb", "static", "CTF{static}", "") // after the freeze
		board, frozen, _ := svc.Scoreboard(ctx, "", 10, false)
		if !frozen || len(board) != 1 || board[0].TraineeID != "alice" {
			t.Fatalf("trainees' frozen board: %v %+v", frozen, board)
		}
		live, frozen, _ := svc.Scoreboard(ctx, "", 10, true)
		if frozen || len(live) != 2 {
			t.Fatalf("staff's live board: %v %+v", frozen, live)
		}
	})
}

func TestFlagsFromLabsNeverOpenedAreMarked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, f := setup(t, db)
		f.mu.Lock()
		f.labs["lb"] = scoring.Lab{ID: "lb", TraineeID: "bob", ScenarioID: "s1", Running: true} // no terminal ever
		f.mu.Unlock()
		svc.Submit(ctx, "bob", "lb", "own-flag", "FLAG{lb-flag}", "")   // marked
		svc.Submit(ctx, "bob", "lb", "address", "169.254.169.254", "")  // a question: not marked
		svc.Submit(ctx, "alice", "la", "own-flag", "FLAG{la-flag}", "") // worked in: not marked
		sus, _ := svc.Suspicions(ctx)
		if len(sus) != 1 || sus[0].TraineeID != "bob" || sus[0].Note != "no_session" || sus[0].Points != 100 {
			t.Fatalf("suspicions: %+v", sus)
		}
	})
}

func TestTimeBonus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, f := setup(t, db)
		f.mu.Lock()
		f.labs["la"] = scoring.Lab{ID: "la", TraineeID: "alice", ScenarioID: "s1", Running: true, Worked: true, StartedAt: time.Now().Add(-5 * time.Minute)}
		f.labs["lb"] = scoring.Lab{ID: "lb", TraineeID: "bob", ScenarioID: "s1", Running: true, Worked: true, StartedAt: time.Now().Add(-30 * time.Minute)}
		f.mu.Unlock()
		quick, _ := svc.Submit(ctx, "alice", "la", "technique", "T1552.005", "")
		slow, _ := svc.Submit(ctx, "bob", "lb", "technique", "T1552.005", "")
		if quick.Points != 20 || slow.Points != 15 {
			t.Fatalf("within 10 min: %d, after: %d; want 20 and 15", quick.Points, slow.Points)
		}
	})
}
