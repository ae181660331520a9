package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store"
)

// The account a rehearsal plays as is marked as the range's own, so the
// people lists, scoreboards and suspicions leave it out; each rehearsal
// gets a fresh one.
func TestRehearsalTraineesAreTheRangesOwn(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: t.TempDir(), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	passwords, err := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	people := accounts.NewService(db.Accounts(), passwords, accounts.Options{Now: time.Now})
	newTrainee := rehearsalTrainee(people)
	first, err := newTrainee(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := newTrainee(ctx)
	u, err := db.Accounts().UserByID(ctx, first)
	if err != nil || !u.Rehearsal || u.Role != accounts.RoleTrainee || !strings.HasSuffix(u.Email, "@sakimori.invalid") || first == second {
		t.Fatalf("rehearsal trainee %+v (%v), then %s", u, err, second)
	}
}
