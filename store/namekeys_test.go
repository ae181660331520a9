package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func named(id, email, name string) accounts.User {
	return accounts.User{ID: id, Email: email, DisplayName: name, NameKeys: accounts.NameKeysOf(name),
		Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now().UTC()}
}

func TestNameTaken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		if err := s.CreateUser(ctx, named("u1", "a@example.org", "Alice A")); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			taken bool
		}{
			{"Alice A", true},
			{"alice a", true},
			{"\u0410lice A", true}, // Cyrillic А
			{"ALICE A", true},
			{"AIice A", true},
			{"Alice B", false},
			{"Alice", false},
		} {
			taken, err := s.NameTaken(ctx, accounts.NameKeysOf(tc.name))
			if err != nil || taken != tc.taken {
				t.Errorf("NameTaken(%q) = %v, %v; want %v", tc.name, taken, err, tc.taken)
			}
		}
		got, err := s.UserByID(ctx, "u1")
		if err != nil || got.NameKeys != accounts.NameKeysOf("Alice A") {
			t.Fatalf("skeleton read back: %+v, %v", got, err)
		}
	})
}

func TestMigrateFillsMissingNameKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		// Accounts made before the columns existed have empty keys.
		for _, u := range []accounts.User{named("u1", "a@example.org", "Alice A"), named("u2", "b@example.org", "Bob")} {
			u.NameKeys = accounts.NameKeys{}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		if taken, err := s.NameTaken(ctx, accounts.NameKeysOf("alice a")); taken || err != nil {
			t.Fatalf("before the keys were filled in: taken %v, %v", taken, err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for id, name := range map[string]string{"u1": "alice a", "u2": "B\u043Eb"} {
			got, err := s.UserByID(ctx, id)
			if err != nil || got.NameKeys != accounts.NameKeysOf(name) {
				t.Errorf("%s after Migrate: keys %+v, %v; want those of %q", id, got.NameKeys, err, name)
			}
		}
	})
}

// Concurrent sign-ups with look-alike names: exactly one gets the name.
func TestLookAlikeSignUpsRaceForOneName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		pw, err := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
		if err != nil {
			t.Fatal(err)
		}
		svc := accounts.NewService(db.Accounts(), pw, accounts.Options{OpenRegistration: true})
		names := []string{"Alice A", "alice a", "\u0410lice A", "ALICE  A", "Ａlice A", "Alice A", "AIice A", "alice A"}
		errs := make(chan error, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				_, err := svc.Register(ctx, accounts.NewUser{Email: fmt.Sprintf("u%d@example.org", i), DisplayName: name, Password: "long enough password"}, "")
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, accounts.ErrDisplayNameTaken):
				t.Errorf("register: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d look-alike sign-ups succeeded, want 1", won, len(names))
		}
	})
}

// A second sign-up that checks a name while a first, having found it free,
// has not yet committed waits for it and then finds the name taken.
func TestNameCheckWaitsForAnUncommittedSignUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		checked := make(chan struct{})
		first := make(chan error, 1)
		go func() {
			first <- s.InTx(ctx, func(tx accounts.Store) error {
				if taken, err := tx.NameTaken(ctx, accounts.NameKeysOf("Alice A")); taken || err != nil {
					return fmt.Errorf("first check: taken %v, %v", taken, err)
				}
				close(checked)
				time.Sleep(300 * time.Millisecond) // the second check runs meanwhile
				return tx.CreateUser(ctx, named("u1", "a@example.org", "Alice A"))
			})
		}()
		<-checked
		var taken bool
		err := s.InTx(ctx, func(tx accounts.Store) error {
			var err error
			taken, err = tx.NameTaken(ctx, accounts.NameKeysOf("alice a"))
			return err
		})
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if err != nil || !taken {
			t.Fatalf("second check: taken %v, %v; want it to wait and find the name taken", taken, err)
		}
	})
}
