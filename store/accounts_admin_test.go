package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// Search, changes, session revocation and invites as both databases do them.
func TestAccountsAdministration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		for _, u := range []accounts.User{user("u1", "alice@example.org", accounts.RoleAdmin), user("u2", "bob_50%@example.org", accounts.RoleTrainee)} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		for search, want := range map[string]int64{"ALI": 1, "_50%": 1, "%": 1, "example": 2, "x_y": 0} {
			if _, n, err := s.ListUsers(ctx, accounts.UserQuery{Search: search, Limit: 10}); err != nil || n != want {
				t.Errorf("search %q: %d, %v; want %d", search, n, err, want)
			}
		}

		u, _ := s.UserByID(ctx, "u2")
		now := time.Now().UTC().Truncate(time.Second)
		u.Role, u.DisabledAt, u.PasswordHash = accounts.RoleInstructor, &now, "y"
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, "u2"); got.Role != accounts.RoleInstructor || !got.Disabled() || got.PasswordHash != "y" {
			t.Fatalf("after the update: %+v", got)
		}
		if err := s.UpdateUser(ctx, user("nobody", "n@example.org", accounts.RoleTrainee)); !errors.Is(err, accounts.ErrUserNotFound) {
			t.Fatalf("updating nobody: %v", err)
		}

		tok := accounts.RefreshToken{ID: "r1", FamilyID: "f1", UserID: "u2", Hash: "h1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateRefreshToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeUserSessions(ctx, "u2", now); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.RefreshTokenByHash(ctx, "h1"); got.RevokedAt == nil {
			t.Fatal("the session outlived its revocation")
		}

		inv := accounts.Invite{ID: "i1", CodeHash: "c1", Role: accounts.RoleTrainee, UserID: "u2", CreatedBy: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateInvite(ctx, inv); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeInvite(ctx, "i1", now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimInvite(ctx, "c1", now); !errors.Is(err, accounts.ErrInviteInvalid) {
			t.Fatalf("a revoked invite was claimed: %v", err)
		}
		got, err := s.InviteByID(ctx, "i1")
		if err != nil || got.RevokedAt == nil || got.UserID != "u2" {
			t.Fatalf("InviteByID = %+v, %v", got, err)
		}
		if _, err := s.InviteByID(ctx, "nope"); !errors.Is(err, accounts.ErrInviteNotFound) {
			t.Fatalf("an unknown invite: %v", err)
		}
		if list, err := s.ListInvites(ctx, 10); err != nil || len(list) != 1 {
			t.Fatalf("ListInvites = %d, %v", len(list), err)
		}
	})
}
