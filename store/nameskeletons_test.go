package store_test

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func named(id, email, name string) accounts.User {
	return accounts.User{ID: id, Email: email, DisplayName: name, NameSkeleton: accounts.NameSkeleton(name),
		Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now().UTC()}
}

func TestNameSkeletonTaken(t *testing.T) {
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
			{"Alice B", false},
			{"Alice", false},
		} {
			taken, err := s.NameSkeletonTaken(ctx, accounts.NameSkeleton(tc.name))
			if err != nil || taken != tc.taken {
				t.Errorf("NameSkeletonTaken(%q) = %v, %v; want %v", tc.name, taken, err, tc.taken)
			}
		}
		got, err := s.UserByID(ctx, "u1")
		if err != nil || got.NameSkeleton != accounts.NameSkeleton("Alice A") {
			t.Fatalf("skeleton read back: %+v, %v", got, err)
		}
	})
}

func TestMigrateFillsMissingSkeletons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		// Accounts made before the column existed have an empty skeleton.
		for _, u := range []accounts.User{named("u1", "a@example.org", "Alice A"), named("u2", "b@example.org", "Bob")} {
			u.NameSkeleton = ""
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		if taken, _ := s.NameSkeletonTaken(ctx, accounts.NameSkeleton("alice a")); taken {
			t.Fatal("found before the skeletons were filled in")
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for id, name := range map[string]string{"u1": "alice a", "u2": "B\u043Eb"} {
			got, err := s.UserByID(ctx, id)
			if err != nil || got.NameSkeleton != accounts.NameSkeleton(name) {
				t.Errorf("%s after Migrate: skeleton %q, %v; want that of %q", id, got.NameSkeleton, err, name)
			}
		}
	})
}
