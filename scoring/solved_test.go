package scoring_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestWhatTheRecordsMean(t *testing.T) {
	cases := []struct {
		name               string
		e                  scoring.Event
		solves, progresses bool
	}{
		{"a right answer", scoring.Event{Kind: scoring.EventSubmission, Correct: true}, true, true},
		{"a wrong answer", scoring.Event{Kind: scoring.EventSubmission}, false, false},
		{"a hint taken", scoring.Event{Kind: scoring.EventHint, Points: -10}, false, true},
		{"a walkthrough revealed", scoring.Event{Kind: scoring.EventReveal}, false, true},
	}
	for _, tc := range cases {
		if tc.e.Solves() != tc.solves || tc.e.Progresses() != tc.progresses {
			t.Errorf("%s: solves %v, progresses %v; want %v, %v", tc.name, tc.e.Solves(), tc.e.Progresses(), tc.solves, tc.progresses)
		}
	}
}

func TestSuspicionReason(t *testing.T) {
	if r := (scoring.Event{SharedWith: "bob", Note: "fast_solve"}).SuspicionReason(); r != "shared_flag" {
		t.Errorf("another's flag: %q", r)
	}
	if r := (scoring.Event{Note: "fast_solve,no_session"}).SuspicionReason(); r != "fast_solve,no_session" {
		t.Errorf("marks: %q", r)
	}
}

func TestTracksOf(t *testing.T) {
	defence := []scoring.Objective{{Track: scoring.TrackDefence}, {Track: scoring.TrackDefence}}
	both := append([]scoring.Objective{{Track: scoring.TrackDefence}}, scoring.Objective{Track: scoring.TrackAttack})
	if got := scoring.TracksOf(defence); !slices.Equal(got, []scoring.Track{scoring.TrackDefence}) {
		t.Errorf("defence only: %v", got)
	}
	if got := scoring.TracksOf(both); !slices.Equal(got, scoring.Tracks) {
		t.Errorf("both, attack first: %v", got)
	}
	if got := scoring.TracksOf(nil); got == nil || len(got) != 0 {
		t.Errorf("none: %#v", got)
	}
}

// A trainee's progress leaves out wrong answers and keeps the rest; their
// objectives show solved by the same rule.
func TestProgressAndObjectivesAgreeOnSolved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		svc.Submit(ctx, "alice", "la", "address", "10.0.0.1", "")
		svc.Submit(ctx, "alice", "la", "address", "169.254.169.254", "")
		svc.UnlockHint(ctx, "alice", "la", "h1", "")
		svc.Reveal(ctx, "alice", "la", "banner", "")
		records, err := svc.Progress(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		var kinds []scoring.EventKind
		for _, e := range records {
			kinds = append(kinds, e.Kind)
		}
		if !slices.Equal(kinds, []scoring.EventKind{scoring.EventSubmission, scoring.EventHint, scoring.EventReveal}) || !records[0].Solves() {
			t.Fatalf("progress records: %+v", records)
		}
		states, err := svc.Objectives(ctx, "alice", "la")
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range states {
			if want := st.Objective.ID == "address"; st.Solved != want {
				t.Errorf("%s: solved %v", st.Objective.ID, st.Solved)
			}
			if want := st.Objective.ID == "banner"; st.Revealed != want || (st.WalkthroughAvailable() != (st.Objective.Walkthrough != "")) {
				t.Errorf("%s: revealed %v, walkthrough %v", st.Objective.ID, st.Revealed, st.WalkthroughAvailable())
			}
		}
	})
}

func TestScoreboardRanks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, _ := setup(t, db)
		svc.Submit(ctx, "bob", "lb", "address", "169.254.169.254", "")
		time.Sleep(time.Millisecond)
		svc.Submit(ctx, "alice", "la", "static", "CTF{Static}", "")
		board, _, err := svc.Scoreboard(ctx, "s1", 10, false)
		if err != nil || len(board) != 2 {
			t.Fatalf("board %+v, %v", board, err)
		}
		if board[0].TraineeID != "alice" || board[0].Rank != 1 || board[1].Rank != 2 {
			t.Fatalf("ranks: %+v", board)
		}
	})
}
