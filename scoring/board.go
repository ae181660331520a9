package scoring

import (
	"context"
	"time"
)

// BoardScope narrows a scoreboard to the players and window of an event or
// a cohort: only what they did in its scenarios inside its window counts.
// Points are those fixed into each record at solve time.
type BoardScope struct {
	CohortID string // only this cohort's trainees (active members); empty: everyone
	// OrganisationID, when set, keeps only the trainees (active members)
	// of the organisation's cohorts.
	OrganisationID string
	Scenarios      []string  // only records in these scenarios; empty: every scenario
	From           time.Time // records at or after this; zero: from the beginning
	Until          time.Time // and before this; zero: no end
	FreezeAt       time.Time // players see the board as it stood then; zero: never frozen
}

// BoardStore is what scoped scoreboards need from storage.
type BoardStore interface {
	// ScopedScoreboard ranks the trainees in scope by points, then by who
	// reached their score first, then by id, and returns the first limit.
	// Freezing is the caller's: the store reads [From, Until) as given.
	ScopedScoreboard(ctx context.Context, scope BoardScope, limit int) ([]Standing, error)
	// ScopedSolves counts the scope's trainees' solves of one objective of
	// a scenario in [From, Until).
	ScopedSolves(ctx context.Context, scope BoardScope, scenarioID, objectiveID string) (int, error)
}

// Board is a scoreboard as one viewer sees it.
type Board struct {
	Standings []Standing
	// Frozen says the standings are as they stood at FreezeAt, not live.
	Frozen bool
	// FreezeAt is when the board freezes or froze for players (zero: it
	// never does), told to managers who keep seeing it live too.
	FreezeAt time.Time
}

// Boards reads scoped scoreboards: per event and per cohort.
type Boards struct {
	store BoardStore
	now   func() time.Time
}

// NewBoards makes the scoped scoreboards; now may be nil for the wall clock.
func NewBoards(store BoardStore, now func() time.Time) *Boards {
	if now == nil {
		now = time.Now
	}
	return &Boards{store: store, now: now}
}

// MaxBoardLimit bounds how many lines one board read returns.
const MaxBoardLimit = 1000

// Board ranks the scope's trainees. From its freeze until its window ends,
// players see it as it stood at the freeze; live viewers (its managers)
// always see it as it is. Once the window is over the results are out and
// everyone sees the final board.
func (b *Boards) Board(ctx context.Context, scope BoardScope, limit int, live bool) (Board, error) {
	if limit <= 0 || limit > MaxBoardLimit {
		limit = 100
	}
	now := b.now()
	ended := !scope.Until.IsZero() && !now.Before(scope.Until)
	frozen := !live && !ended && !scope.FreezeAt.IsZero() && !now.Before(scope.FreezeAt)
	q := scope
	if frozen {
		q.Until = scope.FreezeAt
	}
	standings, err := b.store.ScopedScoreboard(ctx, q, limit)
	if err != nil {
		return Board{}, err
	}
	Rank(standings)
	return Board{Standings: standings, Frozen: frozen, FreezeAt: scope.FreezeAt}, nil
}

// Rank numbers standings already in board order. Trainees level on points
// and on when they reached them share a rank, and the next rank skips
// past them (1, 2, 2, 4): a tie is a tie, however the ids sort.
func Rank(standings []Standing) {
	for i := range standings {
		s := &standings[i]
		if i > 0 {
			prev := standings[i-1]
			if prev.Points == s.Points && prev.LastSolveAt.Equal(s.LastSolveAt) {
				s.Rank = prev.Rank
				continue
			}
		}
		s.Rank = i + 1
	}
}
