package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/badges"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

func badgeService(t *testing.T, db *store.DB) *badges.Service {
	t.Helper()
	svc, err := badges.NewService(db.Badges(), "https://range.example.org/", "Sakimori", make([]byte, 32), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func achievement(kind, ref string) badges.Achievement {
	return badges.Achievement{Kind: kind, Ref: ref, Name: ref, Description: "d", Criteria: "c",
		Alignments: []badges.Alignment{{Framework: badges.FrameworkAttack, Code: "T1190", Name: "x", URL: "https://attack.mitre.org/techniques/T1190/"}}}
}

// TestBadgeGrantsAreOncePerAchievementWithTheirOwnStatusBit grants from
// four goroutines at once: each achievement is awarded once, and every
// award has a status index no other award has.
func TestBadgeGrantsAreOncePerAchievementWithTheirOwnStatusBit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, id := range []string{"t1", "t2"} {
			must(t, db.Accounts().CreateUser(ctx, user(id, id+"@example.org", accounts.RoleTrainee)))
		}
		svc := badgeService(t, db)
		earned := []badges.Achievement{achievement(badges.KindScenario, "s1"), achievement(badges.KindWorkRole, "PD-WRL-001")}
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := svc.Grant(ctx, []string{"t1", "t2"}[i%2], "Name", earned); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		seen := map[int]bool{}
		for _, id := range []string{"t1", "t2"} {
			held, err := svc.Awards(ctx, id)
			must(t, err)
			if len(held) != 2 {
				t.Fatalf("%s holds %d awards, want 2", id, len(held))
			}
			for _, a := range held {
				if seen[a.StatusIndex] {
					t.Errorf("status index %d given twice", a.StatusIndex)
				}
				seen[a.StatusIndex] = true
				if a.Achievement.Alignments[0].Code != "T1190" {
					t.Errorf("achievement not kept: %+v", a.Achievement)
				}
			}
		}
	})
}

func TestBadgeRevocationSetsOnlyItsBitAndRefusesTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		must(t, db.Accounts().CreateUser(ctx, user("t1", "t1@example.org", accounts.RoleTrainee)))
		svc := badgeService(t, db)
		held, err := svc.Grant(ctx, "t1", "Name", []badges.Achievement{achievement(badges.KindScenario, "s1"), achievement(badges.KindScenario, "s2")})
		must(t, err)
		if _, err := svc.Revoke(ctx, "7d3c5a56-0000-4000-8000-000000000000", "admin"); !errors.Is(err, badges.ErrNotFound) {
			t.Fatalf("revoking an unknown badge: %v", err)
		}
		if _, err := svc.Revoke(ctx, "not-a-uuid", "admin"); !errors.Is(err, badges.ErrNotFound) {
			t.Fatalf("revoking a malformed id: %v", err)
		}
		got, err := svc.Revoke(ctx, held[1].ID, "admin")
		must(t, err)
		if got.RevokedAt == nil || got.RevokedBy != "admin" {
			t.Fatalf("revoked award: %+v", got)
		}
		if _, err := svc.Revoke(ctx, held[1].ID, "admin"); !errors.Is(err, badges.ErrRevoked) {
			t.Fatalf("revoking twice: %v", err)
		}
		v, err := svc.Verify(ctx, got)
		must(t, err)
		if v.Valid || !v.Revoked || v.Problem != "" {
			t.Errorf("verification of a revoked badge: %+v", v)
		}
		v, err = svc.Verify(ctx, held[0])
		must(t, err)
		if !v.Valid {
			t.Errorf("verification of a held badge: %+v", v)
		}
		list, err := svc.StatusList(ctx)
		must(t, err)
		want, _ := badges.EncodeStatusList([]int{held[1].StatusIndex})
		if list["credentialSubject"].(map[string]any)["encodedList"] != want {
			t.Error("the status list does not have exactly the revoked badge's bit set")
		}
	})
}

func TestBadgeThresholdIsTheStrictestOfTheTraineesOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, org := range []string{"o1", "o2", "o3"} {
			must(t, db.Cohorts().CreateOrganisation(ctx, cohorts.Organisation{ID: org, Name: org, Slug: org, Kind: cohorts.University, CreatedAt: time.Now()}))
		}
		svc := badgeService(t, db)
		if p, err := svc.ThresholdFor(ctx, []string{"o1", "o2"}); err != nil || p != badges.DefaultRoleThreshold {
			t.Fatalf("no threshold set: %d, %v", p, err)
		}
		must(t, svc.SetRoleThreshold(ctx, "o1", 40))
		must(t, svc.SetRoleThreshold(ctx, "o2", 80))
		must(t, svc.SetRoleThreshold(ctx, "o2", 75))
		for _, bad := range []int{0, 101, -5} {
			err := svc.SetRoleThreshold(ctx, "o3", bad)
			if f, ok := fault.As(err); !ok || f.Code != "badge_threshold_out_of_range" {
				t.Errorf("threshold %d: %v", bad, err)
			}
		}
		if p, err := svc.ThresholdFor(ctx, []string{"o1", "o2", "o3"}); err != nil || p != 75 {
			t.Errorf("strictest of 40 and 75: %d, %v", p, err)
		}
		if p, err := svc.RoleThreshold(ctx, "o3"); err != nil || p != badges.DefaultRoleThreshold {
			t.Errorf("o3 changed by refused settings: %d, %v", p, err)
		}
	})
}

// TestBadgeIssuerKeyIsSealedAndMadeOnce: concurrent first uses make one
// key, and what is stored does not hold the private key in the clear.
func TestBadgeIssuerKeyIsSealedAndMadeOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := badgeService(t, db)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = svc.PublicKeys(ctx) }()
		}
		wg.Wait()
		keys, err := db.Badges().Keys(ctx)
		must(t, err)
		if len(keys) != 1 {
			t.Fatalf("%d keys made", len(keys))
		}
		if len(keys[0].SealedPrivate) < 40 || keys[0].SealedPrivate[:3] != "v1:" {
			t.Errorf("private key not sealed: %q", keys[0].SealedPrivate)
		}
		other, err := badges.NewService(db.Badges(), "https://range.example.org", "Sakimori", []byte("another key of thirty-two bytes!"), time.Now)
		must(t, err)
		if _, err := other.StatusList(ctx); err == nil {
			t.Error("the key opened with another seal key")
		}
	})
}

// TestBadgeStatusListIsSignedAgainOnlyWhenItChanges: the public list is
// served from what was signed until a badge is revoked. The clock moves on
// every reading, so a list signed again would carry a new proof.
func TestBadgeStatusListIsSignedAgainOnlyWhenItChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		must(t, db.Accounts().CreateUser(ctx, user("t1", "t1@example.org", accounts.RoleTrainee)))
		var mu sync.Mutex
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); at = at.Add(time.Minute); return at }
		svc, err := badges.NewService(db.Badges(), "https://range.example.org", "Sakimori", make([]byte, 32), clock)
		must(t, err)
		held, err := svc.Grant(ctx, "t1", "Name", []badges.Achievement{achievement(badges.KindScenario, "s1")})
		must(t, err)
		proof := func() any {
			list, err := svc.StatusList(ctx)
			must(t, err)
			return list["proof"].(map[string]any)["proofValue"]
		}
		first := proof()
		if proof() != first {
			t.Error("an unchanged status list was signed again")
		}
		_, err = svc.Revoke(ctx, held[0].ID, "admin")
		must(t, err)
		if proof() == first {
			t.Error("the status list was not signed again after a revocation")
		}
	})
}
