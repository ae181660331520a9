package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// feedFixture stores organisation o1 with cohort c1 and trainees t0…t7,
// and organisation o2 whose trainee x0 writes records o1 must never see.
func feedFixture(t *testing.T, db *store.DB) {
	t.Helper()
	s := db.Cohorts()
	joined := time.Now().UTC().Add(-time.Hour)
	for _, org := range []string{"o1", "o2"} {
		must(t, s.CreateOrganisation(ctx, cohorts.Organisation{ID: org, Name: org, Slug: org, Kind: cohorts.University, CreatedAt: joined}))
		must(t, s.CreateCohort(ctx, cohorts.Cohort{ID: "c-" + org, OrganisationID: org, Name: "Class", StartsAt: joined,
			EndsAt: joined.Add(48 * time.Hour), JoinCode: "CODE-" + org, CreatedAt: joined}))
	}
	people := map[string]string{"x0": "c-o2"}
	for i := range 8 {
		people[fmt.Sprintf("t%d", i)] = "c-o1"
	}
	for id, cohort := range people {
		must(t, db.Accounts().CreateUser(ctx, user(id, id+"@example.org", accounts.RoleTrainee)))
		must(t, s.AddMembers(ctx, []cohorts.Membership{{ID: "m-" + id, CohortID: cohort, Person: cohorts.Person{ID: id},
			Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: joined}}))
	}
}

func record(id, trainee string) scoring.Event {
	return scoring.Event{ID: id, Kind: scoring.EventSubmission, TraineeID: trainee, InstanceID: "i1", ScenarioID: "s1",
		ObjectiveID: id, Points: 10, Correct: true, At: time.Now().UTC()}
}

// TestFeedPagedWhileEightWritersRecord pages the feed while eight writers
// add records, some in transactions that commit well after their record
// took its place in the sequence. The pages together hold every record of
// the organisation once, and none of another organisation's.
func TestFeedPagedWhileEightWritersRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		p := db.Partners()
		const writers, each = 8, 60
		var done atomic.Bool
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					e := record(fmt.Sprintf("r-%d-%03d", w, i), fmt.Sprintf("t%d", w))
					hold := time.Duration(rand.IntN(4)) * time.Millisecond
					if err := db.RecordSlowly(ctx, e, hold); err != nil {
						t.Error(err)
						return
					}
					if i%10 == 0 {
						must(t, db.Scoring().Record(ctx, record(fmt.Sprintf("x-%d-%03d", w, i), "x0")))
					}
				}
			}()
		}
		go func() { wg.Wait(); done.Store(true) }()

		// Paged as a partner pages it: through the service, from cursor to
		// cursor, an empty page meaning "ask again later".
		svc := partners.NewService(p, nil, nil, []byte("test cursor key"), nil)
		tok := partners.Token{OrganisationID: "o1", Scopes: []partners.Scope{partners.ReadRecords}}
		seen := map[string]int{}
		cursor, last := "", partners.Position{}
		deadline := time.Now().Add(30 * time.Second)
		for len(seen) < writers*each || !done.Load() {
			if time.Now().After(deadline) {
				t.Fatalf("the feed served %d of %d records: the rest were skipped, or never came", len(seen), writers*each)
			}
			page, err := svc.Feed(ctx, tok, cursor, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Records {
				if !r.Position.After(last) {
					t.Fatalf("record %s at %+v is not after the last one read, %+v", r.ID, r.Position, last)
				}
				seen[r.ID]++
				last = r.Position
			}
			cursor = page.Next
			if len(page.Records) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("record %s served %d times", id, n)
			}
			if id[0] != 'r' {
				t.Errorf("record %s of another organisation served", id)
			}
		}
		if len(seen) != writers*each {
			t.Errorf("served %d records, want %d", len(seen), writers*each)
		}
	})
}

func TestPartnerTokensAreFoundByHashAndRevokedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		p := db.Partners()
		now := time.Now().UTC().Truncate(time.Second)
		tok := partners.Token{ID: "k1", OrganisationID: "o1", Name: "LMS", Scopes: []partners.Scope{partners.ReadRoster, partners.ReadRecords},
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		must(t, p.CreateToken(ctx, tok, "hash1"))
		got, err := p.TokenByHash(ctx, "hash1")
		if err != nil || got.ID != "k1" || !got.Has(partners.ReadRecords) || got.Has(partners.WriteRoster) {
			t.Fatalf("TokenByHash = %+v, %v", got, err)
		}
		if _, err := p.TokenByHash(ctx, "nope"); !errors.Is(err, partners.ErrTokenUnknown) {
			t.Fatalf("unknown hash: %v", err)
		}
		if _, err := p.RevokeToken(ctx, "o2", "k1", now); !errors.Is(err, partners.ErrTokenNotFound) {
			t.Fatalf("another organisation revoking: %v", err)
		}
		first, err := p.RevokeToken(ctx, "o1", "k1", now)
		must(t, err)
		again, err := p.RevokeToken(ctx, "o1", "k1", now.Add(time.Minute))
		must(t, err)
		if first.RevokedAt == nil || !again.RevokedAt.Equal(*first.RevokedAt) {
			t.Fatalf("revoked at %v then %v: a second revoke must change nothing", first.RevokedAt, again.RevokedAt)
		}
		must(t, p.TouchToken(ctx, "k1", now))
		list, err := p.Tokens(ctx, "o1")
		if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
			t.Fatalf("Tokens = %+v, %v", list, err)
		}
	})
}
