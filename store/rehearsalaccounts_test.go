package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// A rehearsal's throwaway trainee is no person: it solves everything at a
// script's pace, yet an admin's list of people, the scoreboards and the
// suspicions leave it out, while a person's same solves count.
func TestRehearsalAccountsAreNoOnesStanding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		person := user("hanako", "hanako@example.org", accounts.RoleTrainee)
		stand := user("rehearsal-1", "rehearsal-1@sakimori.invalid", accounts.RoleTrainee)
		stand.Rehearsal = true
		must(t, db.Accounts().CreateUser(ctx, person))
		must(t, db.Accounts().CreateUser(ctx, stand))
		if got, err := db.Accounts().UserByID(ctx, stand.ID); err != nil || !got.Rehearsal {
			t.Fatalf("the rehearsal account reads back as %+v, %v", got, err)
		}
		at := time.Now().UTC().Truncate(time.Second)
		for i, who := range []string{"hanako", "rehearsal-1"} {
			must(t, db.Scoring().Record(ctx, scoring.Event{ID: "e" + who, Kind: scoring.EventSubmission, TraineeID: who, InstanceID: "i" + who,
				ScenarioID: "orientation", ObjectiveID: "o1", Correct: true, Points: 100 + i, Note: "fast_solve", At: at}))
		}

		people, total, err := db.Accounts().ListUsers(ctx, accounts.UserQuery{Limit: 10})
		must(t, err)
		if total != 1 || len(people) != 1 || people[0].ID != "hanako" {
			t.Fatalf("people: %d %+v", total, people)
		}
		if found, _, _ := db.Accounts().ListUsers(ctx, accounts.UserQuery{Limit: 10, Search: "rehearsal"}); len(found) != 0 {
			t.Fatalf("a search finds the rehearsal account: %+v", found)
		}
		board, err := db.Scoring().Scoreboard(ctx, "", 10, time.Time{})
		must(t, err)
		if len(board) != 1 || board[0].TraineeID != "hanako" {
			t.Fatalf("scoreboard: %+v", board)
		}
		suspects, err := db.Scoring().Suspicions(ctx, 10)
		must(t, err)
		if len(suspects) != 1 || suspects[0].TraineeID != "hanako" {
			t.Fatalf("suspicions: %+v", suspects)
		}
	})
}
