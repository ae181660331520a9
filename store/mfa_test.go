package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func TestTOTPStepsAreUsedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		if err := s.CreateUser(ctx, user("u1", "a@example.org", accounts.RoleAdmin)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TOTPOf(ctx, "u1"); !errors.Is(err, accounts.ErrTOTPNotSet) {
			t.Fatalf("no TOTP yet: %v", err)
		}
		now := time.Now().UTC()
		if err := s.PutTOTP(ctx, accounts.TOTP{UserID: "u1", SecretSealed: "first", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutTOTP(ctx, accounts.TOTP{UserID: "u1", SecretSealed: "second", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if won, _ := s.UseTOTPStep(ctx, "u1", 5); won {
			t.Fatal("a step used before the app was confirmed")
		}
		if ok, err := s.ConfirmTOTP(ctx, "u1", now, 10); !ok || err != nil {
			t.Fatalf("confirm: %v %v", ok, err)
		}
		if ok, _ := s.ConfirmTOTP(ctx, "u1", now, 11); ok {
			t.Fatal("confirmed twice")
		}
		got, err := s.TOTPOf(ctx, "u1")
		if err != nil || got.SecretSealed != "second" || got.ConfirmedAt == nil || got.LastStep != 10 {
			t.Fatalf("TOTPOf = %+v, %v", got, err)
		}
		for _, c := range []struct {
			step int64
			won  bool
		}{{10, false}, {9, false}, {12, true}, {12, false}, {11, false}, {1 << 40, true}} {
			if won, err := s.UseTOTPStep(ctx, "u1", c.step); won != c.won || err != nil {
				t.Errorf("step %d: won %v, %v; want %v", c.step, won, err, c.won)
			}
		}
	})
}

func TestCeremoniesAndPasskeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.Accounts()
		if err := s.CreateUser(ctx, user("u1", "a@example.org", accounts.RoleAdmin)); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		old := accounts.Ceremony{HandleHash: "old", UserID: "u1", Purpose: "sign-in", ExpiresAt: now.Add(-time.Minute)}
		if err := s.CreateCeremony(ctx, old, now.Add(-2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		live := accounts.Ceremony{HandleHash: "live", UserID: "u1", Purpose: "passkey-registration", ExpiresAt: now.Add(time.Minute)}
		if err := s.CreateCeremony(ctx, live, now); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CeremonyByHash(ctx, "old"); !errors.Is(err, accounts.ErrChallengeInvalid) {
			t.Fatalf("an expired ceremony was kept: %v", err)
		}
		if err := s.SetCeremonyState(ctx, "live", []byte(`{"challenge":"x"}`)); err != nil {
			t.Fatal(err)
		}
		if n, err := s.CeremonyFailed(ctx, "live"); n != 1 || err != nil {
			t.Fatalf("failures = %d, %v", n, err)
		}
		c, err := s.CeremonyByHash(ctx, "live")
		if err != nil || string(c.State) != `{"challenge":"x"}` || c.Failures != 1 || c.Purpose != "passkey-registration" {
			t.Fatalf("ceremony = %+v, %v", c, err)
		}
		anyone := accounts.Ceremony{HandleHash: "anyone", Purpose: "passkey-sign-in", ExpiresAt: now.Add(time.Minute)}
		if err := s.CreateCeremony(ctx, anyone, now); err != nil {
			t.Fatalf("a ceremony of nobody yet: %v", err)
		}
		if c, err := s.CeremonyByHash(ctx, "anyone"); err != nil || c.UserID != "" {
			t.Fatalf("a ceremony of nobody yet = %+v, %v", c, err)
		}
		if won, _ := s.EndCeremony(ctx, "live"); !won {
			t.Fatal("not ended")
		}
		if won, _ := s.EndCeremony(ctx, "live"); won {
			t.Fatal("ended twice")
		}

		p := accounts.Passkey{ID: "p1", UserID: "u1", CredentialID: "cred", Name: "Laptop", Credential: []byte(`{}`), CreatedAt: now}
		if err := s.CreatePasskey(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.ID = "p2"
		if err := s.CreatePasskey(ctx, p); !errors.Is(err, accounts.ErrPasskeyTaken) {
			t.Fatalf("the same credential twice: %v", err)
		}
		if err := s.PasskeyUsed(ctx, "p1", []byte(`{"n":2}`), now); err != nil {
			t.Fatal(err)
		}
		keys, err := s.PasskeysOf(ctx, "u1")
		if err != nil || len(keys) != 1 || string(keys[0].Credential) != `{"n":2}` || keys[0].LastUsedAt == nil {
			t.Fatalf("passkeys = %+v, %v", keys, err)
		}
		if ok, _ := s.DeletePasskey(ctx, "someone else", "p1"); ok {
			t.Fatal("deleted another person's passkey")
		}
		if ok, _ := s.DeletePasskey(ctx, "u1", "p1"); !ok {
			t.Fatal("not deleted")
		}

		if err := s.SetMFARequiredRoles(ctx, []accounts.Role{accounts.RoleAdmin, accounts.RolePartner}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMFARequiredRoles(ctx, []accounts.Role{accounts.RoleInstructor}); err != nil {
			t.Fatal(err)
		}
		roles, err := s.MFARequiredRoles(ctx)
		if err != nil || len(roles) != 1 || roles[0] != accounts.RoleInstructor {
			t.Fatalf("roles = %v, %v", roles, err)
		}
	})
}
