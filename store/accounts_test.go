package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

var ctx = context.Background()

func user(id, email string, role accounts.Role) accounts.User {
	return accounts.User{ID: id, Email: email, DisplayName: id, Role: role, PasswordHash: "x", CreatedAt: time.Now().UTC()}
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		if err := s.CreateUser(ctx, user("u1", "a@example.org", accounts.RoleAdmin)); err != nil {
			t.Fatal(err)
		}
		err := s.CreateUser(ctx, user("u2", "a@example.org", accounts.RoleTrainee))
		if !errors.Is(err, accounts.ErrEmailTaken) {
			t.Fatalf("duplicate email: got %v, want ErrEmailTaken", err)
		}
		got, err := s.UserByEmail(ctx, "a@example.org")
		if err != nil || got.ID != "u1" || got.Role != accounts.RoleAdmin {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
		if _, err := s.UserByID(ctx, "nobody"); !errors.Is(err, accounts.ErrUserNotFound) {
			t.Fatalf("unknown id: got %v", err)
		}
		if n, err := s.CountAdmins(ctx); err != nil || n != 1 {
			t.Fatalf("CountAdmins = %d, %v", n, err)
		}
		_ = s.CreateUser(ctx, user("u3", "b@example.org", accounts.RoleTrainee))
		list, total, err := s.ListUsers(ctx, accounts.UserQuery{Limit: 1})
		if err != nil || total != 2 || len(list) != 1 {
			t.Fatalf("ListUsers = %d users of %d, %v", len(list), total, err)
		}
	})
}

func TestRoleIsCheckedByTheSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.Accounts().CreateUser(ctx, user("u1", "a@example.org", accounts.Role("root")))
		f, ok := fault.As(err)
		if !ok || f.Kind != fault.Internal {
			t.Fatalf("unknown role stored: got %v", err)
		}
	})
}

func TestInTxRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx accounts.Store) error {
			if err := tx.CreateUser(ctx, user("u1", "a@example.org", accounts.RoleTrainee)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if _, err := s.UserByID(ctx, "u1"); !errors.Is(err, accounts.ErrUserNotFound) {
			t.Fatalf("user survived a rolled-back transaction: %v", err)
		}
	})
}

func TestSetupCodeIsConsumedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		if won, _ := s.ConsumeSetupCode(ctx, "anything"); won {
			t.Fatal("a fresh database accepted a setup code")
		}
		must(t, s.PutSetupCode(ctx, "old"))
		must(t, s.PutSetupCode(ctx, "new")) // replaces, never adds a second
		if won, _ := s.ConsumeSetupCode(ctx, "old"); won {
			t.Fatal("a replaced setup code was accepted")
		}
		var wins atomic.Int32
		parallel(8, func() {
			if won, err := s.ConsumeSetupCode(ctx, "new"); err == nil && won {
				wins.Add(1)
			}
		})
		if wins.Load() != 1 {
			t.Fatalf("setup code consumed %d times, want 1", wins.Load())
		}
	})
}

func TestRefreshTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		must(t, s.CreateUser(ctx, user("u1", "a@example.org", accounts.RoleTrainee)))
		now := time.Now().UTC()
		tok := accounts.RefreshToken{ID: "t1", FamilyID: "f1", UserID: "u1", Hash: "h1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		must(t, s.CreateRefreshToken(ctx, tok))

		var wins atomic.Int32
		parallel(8, func() {
			if won, err := s.MarkRefreshTokenUsed(ctx, "t1", now); err == nil && won {
				wins.Add(1)
			}
		})
		if wins.Load() != 1 {
			t.Fatalf("refresh token used %d times, want 1", wins.Load())
		}
		must(t, s.RevokeRefreshFamily(ctx, "f1", now))
		got, err := s.RefreshTokenByHash(ctx, "h1")
		if err != nil || got.UsedAt == nil || got.RevokedAt == nil || got.FamilyID != "f1" {
			t.Fatalf("after use and revoke: %+v, %v", got, err)
		}
		if _, err := s.RefreshTokenByHash(ctx, "nope"); !errors.Is(err, accounts.ErrSessionInvalid) {
			t.Fatalf("unknown hash: %v", err)
		}
		orphan := tok
		orphan.ID, orphan.Hash, orphan.UserID = "t2", "h2", "nobody"
		if err := s.CreateRefreshToken(ctx, orphan); err == nil {
			t.Fatal("a refresh token for an unknown user was stored: foreign keys are off")
		}
	})
}

func TestInvitesAreClaimedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		must(t, s.CreateUser(ctx, user("u1", "a@example.org", accounts.RoleInstructor)))
		now := time.Now().UTC()
		must(t, s.CreateInvite(ctx, accounts.Invite{ID: "i1", CodeHash: "c1", Role: accounts.RoleTrainee, CreatedBy: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
		must(t, s.CreateInvite(ctx, accounts.Invite{ID: "i2", CodeHash: "c2", Role: accounts.RoleTrainee, CreatedBy: "u1", CreatedAt: now, ExpiresAt: now.Add(-time.Second)}))

		if _, err := s.ClaimInvite(ctx, "c2", now); !errors.Is(err, accounts.ErrInviteInvalid) {
			t.Fatalf("expired invite: %v", err)
		}
		var wins atomic.Int32
		parallel(8, func() {
			if inv, err := s.ClaimInvite(ctx, "c1", now); err == nil && inv.Role == accounts.RoleTrainee {
				wins.Add(1)
			}
		})
		if wins.Load() != 1 {
			t.Fatalf("invite claimed %d times, want 1", wins.Load())
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// parallel runs fn n times at once and waits for all of them.
func parallel(n int, fn func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; fn() }()
	}
	close(start)
	wg.Wait()
}
