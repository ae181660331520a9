package accounts_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store/storetest"
)

// delayedFor is the wait an attempt was told to take, or 0 if it was not
// held back.
func delayedFor(t *testing.T, err error) time.Duration {
	t.Helper()
	var d *accounts.SignInDelayed
	if errors.As(err, &d) {
		return d.RetryAfter
	}
	return 0
}

// docs/security.md case 12: after five failures for one account each
// further attempt waits 1 s, 2 s, 4 s … at most 30 s, and is refused
// during the wait without its password being looked at; the owner's
// correct password works as soon as the wait is over, however many
// guesses came before, and success starts the count again.
func TestSignInDelayGrowsAndNeverLocksTheOwnerOut(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			pw, _ := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
			clk := &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
			svc := accounts.NewService(storetest.Open(t, dialect).Accounts(), pw, accounts.Options{RefreshTTL: time.Hour, Now: clk.now})
			const good = "long enough password"
			if _, err := svc.CreateUser(ctx, accounts.NewUser{Email: "victim@range.test", Password: good, Role: accounts.RoleTrainee}); err != nil {
				t.Fatal(err)
			}
			guess := func() error { _, err := svc.Authenticate(ctx, "victim@range.test", "wrong guess"); return err }

			for i := range 5 {
				if err := guess(); !errors.Is(err, accounts.ErrBadCredentials) {
					t.Fatalf("free try %d: %v", i+1, err)
				}
			}
			// Each wait doubles, up to the cap; an attempt inside the wait
			// is refused, the right password included.
			for _, want := range []time.Duration{1, 2, 4, 8, 16, 30, 30, 30} {
				want *= time.Second
				if got := delayedFor(t, guess()); got != want {
					t.Fatalf("wait %s, want %s", got, want)
				}
				clk.t = clk.t.Add(want / 2)
				if _, err := svc.Authenticate(ctx, "victim@range.test", good); delayedFor(t, err) != want/2 {
					t.Fatalf("the right password half-way through the wait: %v", err)
				}
				clk.t = clk.t.Add(want / 2)
				if err := guess(); !errors.Is(err, accounts.ErrBadCredentials) {
					t.Fatalf("a guess after the wait: %v", err)
				}
			}
			// Forty more guesses, each as soon as allowed: the owner never
			// waits more than the cap.
			for range 40 {
				wait := delayedFor(t, guess())
				if wait > 30*time.Second {
					t.Fatalf("a wait of %s, beyond the cap", wait)
				}
				clk.t = clk.t.Add(wait)
				guess()
			}
			clk.t = clk.t.Add(30 * time.Second)
			if _, err := svc.Authenticate(ctx, "victim@range.test", good); err != nil {
				t.Fatalf("the owner after the cap: %v", err)
			}
			// Success started the count again: five free tries.
			for i := range 5 {
				if err := guess(); !errors.Is(err, accounts.ErrBadCredentials) {
					t.Fatalf("free try %d after a success: %v", i+1, err)
				}
			}
			if delayedFor(t, guess()) != time.Second {
				t.Fatal("the sixth failure after a success is not held back 1 s")
			}
			// A quiet quarter of an hour forgets the failures too.
			clk.t = clk.t.Add(15 * time.Minute)
			for i := range 5 {
				if err := guess(); !errors.Is(err, accounts.ErrBadCredentials) {
					t.Fatalf("free try %d after a quiet period: %v", i+1, err)
				}
			}
		})
	}
}

// Addresses with no account are held back the same way, so the delay
// tells nobody which addresses have accounts; one account's wait leaves
// the others alone.
func TestSignInDelayIsPerAddressAndSaysNothingOfAccounts(t *testing.T) {
	svc, _ := newService(t, true)
	if _, err := svc.Register(ctx, accounts.NewUser{Email: "other@range.test", Password: "long enough password"}, ""); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		svc.Authenticate(ctx, "nobody@range.test", "guess")
	}
	if delayedFor(t, func() error { _, err := svc.Authenticate(ctx, "NOBODY@range.test", "guess"); return err }()) != time.Second {
		t.Fatal("an address with no account is not held back")
	}
	if _, err := svc.Authenticate(ctx, "other@range.test", "long enough password"); err != nil {
		t.Fatalf("another account during the first's wait: %v", err)
	}
}

// A burst of parallel guesses when a wait ends gets one attempt, not all.
func TestSignInDelayGivesABurstOneTurn(t *testing.T) {
	svc, clk := newService(t, true)
	if _, err := svc.Register(ctx, accounts.NewUser{Email: "v@range.test", Password: "long enough password"}, ""); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		svc.Authenticate(ctx, "v@range.test", "guess")
	}
	clk.t = clk.t.Add(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	checked := 0
	for range 20 {
		wg.Go(func() {
			_, err := svc.Authenticate(ctx, "v@range.test", "guess")
			if errors.Is(err, accounts.ErrBadCredentials) {
				mu.Lock()
				checked++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if checked != 1 {
		t.Fatalf("%d of 20 parallel guesses had their password checked, want 1", checked)
	}
}

// Records of quiet addresses do not pile up: guesses at made-up addresses
// leave one record each, and the next new address clears the quiet ones.
func TestQuietSignInRecordsAreForgotten(t *testing.T) {
	pw, _ := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	clk := &clock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	db := storetest.Open(t, "sqlite")
	svc := accounts.NewService(db.Accounts(), pw, accounts.Options{RefreshTTL: time.Hour, Now: clk.now})
	for _, email := range []string{"a@made.up", "b@made.up", "c@made.up"} {
		svc.Authenticate(ctx, email, "guess")
	}
	clk.t = clk.t.Add(16 * time.Minute)
	svc.Authenticate(ctx, "d@made.up", "guess")
	for _, email := range []string{"a@made.up", "b@made.up", "c@made.up"} {
		if f, err := db.Accounts().SignInFailures(ctx, accounts.SignInKey(email)); err != nil || f.Version != 0 {
			t.Errorf("%s is still kept after a quiet quarter hour: %+v %v", email, f, err)
		}
	}
	if f, _ := db.Accounts().SignInFailures(ctx, accounts.SignInKey("d@made.up")); f.Failures != 1 {
		t.Fatalf("the new address's record: %+v", f)
	}
}
