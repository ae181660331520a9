package scoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/scoring"
)

// boardStore answers with fixed standings and keeps the scope it was asked.
type boardStore struct {
	asked scoring.BoardScope
	limit int
}

func (b *boardStore) ScopedScoreboard(_ context.Context, scope scoring.BoardScope, limit int) ([]scoring.Standing, error) {
	b.asked, b.limit = scope, limit
	return []scoring.Standing{{TraineeID: "a", Points: 10}}, nil
}

func (b *boardStore) ScopedSolves(context.Context, scoring.BoardScope, string, string) (int, error) {
	return 0, nil
}

func TestBoardsFreezeForPlayersUntilTheEventEnds(t *testing.T) {
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	scope := scoring.BoardScope{CohortID: "c", Scenarios: []string{"web-101"}, From: start, Until: start.Add(2 * time.Hour),
		FreezeAt: start.Add(90 * time.Minute)}
	for _, tc := range []struct {
		name       string
		at         time.Time
		live       bool
		wantFrozen bool
		wantUntil  time.Time
	}{
		{"before the freeze", start.Add(time.Hour), false, false, scope.Until},
		{"a player after the freeze", start.Add(100 * time.Minute), false, true, scope.FreezeAt},
		{"a manager after the freeze", start.Add(100 * time.Minute), true, false, scope.Until},
		{"a player at the end", start.Add(2 * time.Hour), false, false, scope.Until},
	} {
		st := &boardStore{}
		b := scoring.NewBoards(st, func() time.Time { return tc.at })
		board, err := b.Board(context.Background(), scope, 0, tc.live)
		if err != nil {
			t.Fatal(err)
		}
		if board.Frozen != tc.wantFrozen || !st.asked.Until.Equal(tc.wantUntil) || !board.FreezeAt.Equal(scope.FreezeAt) {
			t.Errorf("%s: frozen %v, read until %v; want %v, %v", tc.name, board.Frozen, st.asked.Until, tc.wantFrozen, tc.wantUntil)
		}
		if st.limit != 100 || board.Standings[0].Rank != 1 {
			t.Errorf("%s: limit %d, rank %d", tc.name, st.limit, board.Standings[0].Rank)
		}
	}
}

func TestBoardLimitIsBounded(t *testing.T) {
	for asked, want := range map[int]int{-1: 100, 0: 100, 5: 5, scoring.MaxBoardLimit: scoring.MaxBoardLimit, scoring.MaxBoardLimit + 1: 100} {
		st := &boardStore{}
		if _, err := scoring.NewBoards(st, nil).Board(context.Background(), scoring.BoardScope{}, asked, false); err != nil || st.limit != want {
			t.Errorf("limit %d read %d, %v; want %d", asked, st.limit, err, want)
		}
	}
}

func TestRankSharesTies(t *testing.T) {
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	board := []scoring.Standing{
		{TraineeID: "a", Points: 30, LastSolveAt: at},
		{TraineeID: "b", Points: 20, LastSolveAt: at},
		{TraineeID: "c", Points: 20, LastSolveAt: at}, // level with b on points and time
		{TraineeID: "d", Points: 20, LastSolveAt: at.Add(time.Second)},
		{TraineeID: "e", Points: -5},
		{TraineeID: "f", Points: -5},
	}
	scoring.Rank(board)
	want := []int{1, 2, 2, 4, 5, 5}
	for i, s := range board {
		if s.Rank != want[i] {
			t.Errorf("%s ranked %d; want %d", s.TraineeID, s.Rank, want[i])
		}
	}
}
