package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/lti"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func ltiPlatform(t *testing.T, db *store.DB) lti.Platform {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	if err := db.Cohorts().CreateOrganisation(ctx, cohorts.Organisation{ID: "o1", Name: "Uni", Slug: "uni", Kind: cohorts.University, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	p := lti.Platform{ID: "p1", OrganisationID: "o1", Name: "Moodle", Issuer: "https://lms.uni.example", ClientID: "c1",
		DeploymentIDs: []string{"1", "2"}, AuthURL: "https://lms.uni.example/auth", TokenURL: "https://lms.uni.example/token",
		JWKSURL: "https://lms.uni.example/jwks", CreatedAt: now}
	if err := db.LTI().CreatePlatform(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLTIPlatformsAndStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := db.LTI()
		p := ltiPlatform(t, db)
		if err := s.CreatePlatform(ctx, p); !errors.Is(err, lti.ErrPlatformTaken) {
			t.Fatalf("a second platform of one issuer and client: %v", err)
		}
		got, err := s.PlatformFor(ctx, p.Issuer, "")
		if err != nil || got.ID != "p1" || !got.Deploys("2") || got.Deploys("3") {
			t.Fatalf("platform by issuer: %+v %v", got, err)
		}
		if _, err := s.PlatformFor(ctx, p.Issuer, "other"); !errors.Is(err, lti.ErrPlatformNotFound) {
			t.Fatalf("another client id: %v", err)
		}
		st := lti.LoginState{State: "s1", Nonce: "n1", PlatformID: "p1", ExpiresAt: time.Now().Add(time.Minute)}
		if err := s.SaveState(ctx, st); err != nil {
			t.Fatal(err)
		}
		if got, err := s.TakeState(ctx, "s1"); err != nil || got.Nonce != "n1" {
			t.Fatalf("take: %+v %v", got, err)
		}
		if _, err := s.TakeState(ctx, "s1"); !errors.Is(err, lti.ErrStateUnknown) {
			t.Fatalf("a state taken twice: %v", err)
		}
		if err := s.RevokePlatform(ctx, "p1"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveLink(ctx, lti.ResourceLink{PlatformID: "p1", ResourceID: "r", AssignmentID: "a", ContextID: "c", LineItemURL: "https://lms/li/1"}); err != nil {
			t.Fatal(err)
		}
		if ls, err := s.GradedLinks(ctx); err != nil || len(ls) != 0 {
			t.Fatalf("a revoked platform's links are graded: %v %v", ls, err)
		}
	})
}

// The range's keys: sealed at rest, rotated, and a retired key published
// until its grace period ends.
func TestLTIKeysRotateWithAGracePeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
		c, cancel := context.WithCancel(ctx)
		defer cancel()
		svc, err := lti.NewService(c, db.LTI(), nil, nil, lti.Options{PublicURL: "https://range.example", SealKey: make([]byte, 32),
			KeyGrace: 48 * time.Hour, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		kids := func() []string {
			raw, err := svc.JWKS(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var set struct {
				Keys []struct {
					Kid, Alg, Kty string
					D             string `json:"d"`
				}
			}
			if err := json.Unmarshal(raw, &set); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, k := range set.Keys {
				if k.D != "" || k.Alg != "RS256" || k.Kty != "RSA" {
					t.Fatalf("published key: %+v", k)
				}
				out = append(out, k.Kid)
			}
			return out
		}
		first := kids()
		if len(first) != 1 {
			t.Fatalf("first key set: %v", first)
		}
		keys, _ := db.LTI().Keys(ctx)
		if !strings.HasPrefix(keys[0].SealedPrivate, "v1:") {
			t.Fatalf("the private key is not sealed: %.20s", keys[0].SealedPrivate)
		}
		now = now.Add(time.Hour)
		second, err := svc.Rotate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(47 * time.Hour)
		if got := kids(); len(got) != 2 || got[0] != second || got[1] != first[0] {
			t.Fatalf("within the grace period: %v", got)
		}
		now = now.Add(2 * time.Hour)
		if got := kids(); len(got) != 1 || got[0] != second {
			t.Fatalf("after the grace period: %v", got)
		}
	})
}

// A key sealed under another sealing key (a restore without its secrets)
// is replaced at the next use, and never published.
func TestLTIKeysSealedElsewhereAreReplaced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c, cancel := context.WithCancel(ctx)
		defer cancel()
		mk := func(b byte) *lti.Service {
			key := make([]byte, 32)
			key[0] = b
			svc, err := lti.NewService(c, db.LTI(), nil, nil, lti.Options{PublicURL: "https://range.example", SealKey: key})
			if err != nil {
				t.Fatal(err)
			}
			return svc
		}
		old, err := mk(1).Rotate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := mk(2).JWKS(ctx)
		if err != nil {
			t.Fatalf("the key set after a restore without its secrets: %v", err)
		}
		if strings.Contains(string(raw), old) || !strings.Contains(string(raw), `"kid"`) {
			t.Fatalf("published: %s", raw)
		}
	})
}
