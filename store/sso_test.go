package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// ssoWorld is an organisation with one OIDC provider and one account.
func ssoWorld(t *testing.T, db *store.DB) (*store.SSO, sso.Provider) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	if err := db.Cohorts().CreateOrganisation(ctx, cohorts.Organisation{ID: "o1", Name: "Uni", Slug: "uni", Kind: cohorts.University, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := db.Accounts().CreateUser(ctx, user("u1", "a@uni.example", accounts.RoleTrainee)); err != nil {
		t.Fatal(err)
	}
	p := sso.Provider{ID: "p1", OrganisationID: "o1", Name: "Uni", Protocol: sso.OIDC, Enabled: true, Issuer: "https://idp.uni.example",
		ClientID: "c", SealedSecret: "v1:sealed", AllowedDomains: []string{"uni.example", "mail.uni.example"},
		RoleClaim: "groups", InstructorValues: []string{"staff"}, CreatedAt: now, UpdatedAt: now}
	s := db.SSO()
	if err := s.CreateProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	return s, p
}

func TestSSOProvidersRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, p := ssoWorld(t, db)
		got, err := s.Provider(ctx, "p1")
		if err != nil || got.Issuer != p.Issuer || !slices.Equal(got.AllowedDomains, p.AllowedDomains) || got.SealedSecret != p.SealedSecret || !got.Enabled {
			t.Fatalf("Provider = %+v, %v", got, err)
		}
		got.Enabled, got.AllowedDomains, got.Name = false, []string{}, "Renamed"
		if err := s.UpdateProvider(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Provider(ctx, "p1")
		if again.Enabled || len(again.AllowedDomains) != 0 || again.Name != "Renamed" {
			t.Fatalf("after update: %+v", again)
		}
		if ps, _ := s.Providers(ctx, "o1"); len(ps) != 1 {
			t.Fatalf("Providers(o1) = %d", len(ps))
		}
		if ps, _ := s.Providers(ctx, "other"); len(ps) != 0 {
			t.Fatalf("Providers(other) = %d", len(ps))
		}
		if err := s.DeleteProvider(ctx, "p1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Provider(ctx, "p1"); !errors.Is(err, sso.ErrProviderNotFound) {
			t.Fatalf("deleted: %v", err)
		}
		if err := s.UpdateProvider(ctx, got); !errors.Is(err, sso.ErrProviderNotFound) {
			t.Fatalf("update of a deleted provider: %v", err)
		}
	})
}

func TestSSOIdentitiesAreUniqueByIssuerAndSubject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := ssoWorld(t, db)
		now := time.Now().UTC()
		id := sso.Identity{Issuer: "https://idp.uni.example", Subject: "s1", UserID: "u1", ProviderID: "p1", CreatedAt: now, LastUsedAt: now}
		if err := s.CreateIdentity(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateIdentity(ctx, id); !errors.Is(err, sso.ErrIdentityTaken) {
			t.Fatalf("second link of one (issuer, subject): %v", err)
		}
		id.Issuer = "https://idp.other.example" // the same subject at another issuer is another person
		if err := s.CreateIdentity(ctx, id); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Identity(ctx, "https://idp.uni.example", "s1")
		if !ok || err != nil || got.UserID != "u1" {
			t.Fatalf("Identity = %+v %v %v", got, ok, err)
		}
		if _, ok, _ := s.Identity(ctx, "https://idp.uni.example", "s2"); ok {
			t.Fatal("found an unknown subject")
		}
		if ids, _ := s.Identities(ctx, "u1"); len(ids) != 2 {
			t.Fatalf("Identities = %d", len(ids))
		}
	})
}

func TestSSORequestsAreTakenOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := ssoWorld(t, db)
		now := time.Now().UTC()
		r := sso.Request{ID: "state1", ProviderID: "p1", Nonce: "n", Verifier: "v", ReturnTo: "/x", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.SaveRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.TakeRequest(ctx, "state1")
		if err != nil || got.Nonce != "n" || got.Verifier != "v" || got.ReturnTo != "/x" {
			t.Fatalf("TakeRequest = %+v, %v", got, err)
		}
		if _, err := s.TakeRequest(ctx, "state1"); !errors.Is(err, sso.ErrRequestUnknown) {
			t.Fatalf("taken twice: %v", err)
		}
		// Saving a request drops those long expired.
		old := sso.Request{ID: "old", ProviderID: "p1", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-50 * time.Minute)}
		_ = s.SaveRequest(ctx, old)
		_ = s.SaveRequest(ctx, sso.Request{ID: "new", ProviderID: "p1", CreatedAt: now, ExpiresAt: now.Add(time.Minute)})
		if _, err := s.TakeRequest(ctx, "old"); !errors.Is(err, sso.ErrRequestUnknown) {
			t.Fatalf("an expired request was kept: %v", err)
		}
	})
}

func TestSSOReplayCacheRemembersOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := ssoWorld(t, db)
		until := time.Now().UTC().Add(time.Hour)
		if fresh, err := s.Remember(ctx, "saml:id-1", until); !fresh || err != nil {
			t.Fatalf("first: %v %v", fresh, err)
		}
		if fresh, err := s.Remember(ctx, "saml:id-1", until); fresh || err != nil {
			t.Fatalf("second: %v %v", fresh, err)
		}
	})
}

func TestSSOPlacementAndPasswordSwitch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := ssoWorld(t, db)
		now := time.Now().UTC()
		role := func() cohorts.OrgRole {
			r, _, _ := db.Cohorts().OrgRole(ctx, "o1", "u1")
			return r
		}
		if err := s.PlaceMember(ctx, "o1", "u1", false, now); err != nil || role() != cohorts.OrgMember {
			t.Fatalf("placed: %v %q", err, role())
		}
		if err := s.PlaceMember(ctx, "o1", "u1", true, now); err != nil || role() != cohorts.OrgInstructor {
			t.Fatalf("raised: %v %q", err, role())
		}
		if err := s.PlaceMember(ctx, "o1", "u1", false, now); err != nil || role() != cohorts.OrgInstructor {
			t.Fatalf("a sign-in without the group lowered the role: %v %q", err, role())
		}
		if err := s.LowerMember(ctx, "o1", "u1"); err != nil || role() != cohorts.OrgMember {
			t.Fatalf("lowered: %v %q", err, role())
		}
		if err := s.LowerMember(ctx, "o1", "nobody"); err != nil {
			t.Fatalf("lowering no member: %v", err)
		}
		if off, _ := s.PasswordsOffFor(ctx, "u1"); off {
			t.Fatal("passwords off before anyone switched them off")
		}
		for _, want := range []bool{true, false, true} {
			if err := s.SetPasswordsOff(ctx, "o1", want); err != nil {
				t.Fatal(err)
			}
			if off, _ := s.PasswordsOff(ctx, "o1"); off != want {
				t.Fatalf("PasswordsOff = %v, want %v", off, want)
			}
		}
		if off, _ := s.PasswordsOffFor(ctx, "u1"); !off {
			t.Fatal("a member of an organisation with passwords off may use one")
		}
	})
}

func TestSSOFailuresNewestFirstPerOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := ssoWorld(t, db)
		base := time.Now().UTC().Truncate(time.Second)
		ancient := sso.Failure{ID: "ancient", ProviderID: "p1", At: base.Add(-100 * 24 * time.Hour), Code: "sso_token_expired", Message: "m"}
		if err := s.RecordFailure(ctx, ancient); err != nil {
			t.Fatal(err)
		}
		for i, code := range []string{"sso_email_domain", "sso_token_expired", "sso_state_invalid"} {
			if err := s.RecordFailure(ctx, sso.Failure{ID: code, ProviderID: "p1", At: base.Add(time.Duration(i) * time.Second), Code: code, Message: "m"}); err != nil {
				t.Fatal(err)
			}
		}
		fs, err := s.Failures(ctx, "o1", 2)
		if err != nil || len(fs) != 2 || fs[0].Code != "sso_state_invalid" || fs[1].Code != "sso_token_expired" {
			t.Fatalf("Failures = %+v, %v", fs, err)
		}
		if fs, _ := s.Failures(ctx, "o1", 10); len(fs) != 3 {
			t.Fatalf("a failure of 100 days ago is still kept: %d", len(fs))
		}
		if fs, _ := s.Failures(ctx, "other", 10); len(fs) != 0 {
			t.Fatalf("another organisation's failures: %d", len(fs))
		}
	})
}

// A new account and its identity link are one transaction: a link that
// fails (the identity taken by a sign-in racing this one) leaves no
// account behind.
func TestSSONewAccountAndLinkAreOneTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, p := ssoWorld(t, db)
		now := time.Now().UTC().Truncate(time.Second)
		if err := s.CreateIdentity(ctx, sso.Identity{Issuer: p.Issuer, Subject: "racer", UserID: "u1", ProviderID: p.ID, CreatedAt: now, LastUsedAt: now}); err != nil {
			t.Fatal(err)
		}
		pw, err := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
		if err != nil {
			t.Fatal(err)
		}
		svc := accounts.NewService(db.Accounts(), pw, accounts.Options{RefreshTTL: time.Hour})
		link := func(id sso.Identity) func(context.Context, accounts.Store, accounts.User) error {
			return func(ctx context.Context, tx accounts.Store, u accounts.User) error {
				id.UserID = u.ID
				if err := tx.(sso.Links).CreateIdentity(ctx, id); err != nil {
					return err
				}
				return tx.(sso.Links).PlaceMember(ctx, "o1", u.ID, false, now)
			}
		}
		_, err = svc.CreateExternalUser(ctx, accounts.ExternalUser{Email: "racer@uni.example", Role: accounts.RoleTrainee,
			Then: link(sso.Identity{Issuer: p.Issuer, Subject: "racer", ProviderID: p.ID, CreatedAt: now, LastUsedAt: now})})
		if !errors.Is(err, sso.ErrIdentityTaken) {
			t.Fatalf("a taken identity: %v", err)
		}
		if _, err := db.Accounts().UserByEmail(ctx, "racer@uni.example"); !errors.Is(err, accounts.ErrUserNotFound) {
			t.Fatalf("an account was left without its link: %v", err)
		}
		u, err := svc.CreateExternalUser(ctx, accounts.ExternalUser{Email: "new@uni.example", Role: accounts.RoleTrainee,
			Then: link(sso.Identity{Issuer: p.Issuer, Subject: "new", ProviderID: p.ID, CreatedAt: now, LastUsedAt: now})})
		if err != nil {
			t.Fatal(err)
		}
		if id, ok, err := s.Identity(ctx, p.Issuer, "new"); err != nil || !ok || id.UserID != u.ID {
			t.Fatalf("link: %+v %v %v", id, ok, err)
		}
		if r, _, _ := db.Cohorts().OrgRole(ctx, "o1", u.ID); r != cohorts.OrgMember {
			t.Fatalf("membership: %q", r)
		}
	})
}
