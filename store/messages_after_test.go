package store_test

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// A trainee's missed messages: their cohorts' only, after the mark, in the
// order sent (the id breaks a tie), none from before they joined, none once
// they have left, and none for an unknown mark.
func TestMessagesAfterAMark(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		at := time.Now().UTC().Truncate(time.Second)
		join := func(id, user string, when time.Time) {
			t.Helper()
			m := cohorts.Membership{ID: id, CohortID: c.ID, Person: cohorts.Person{ID: user}, Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: when}
			if err := s.AddMembers(ctx, []cohorts.Membership{m}); err != nil {
				t.Fatal(err)
			}
		}
		join("m2", "u2", at)
		join("m3", "u3", at.Add(90*time.Second)) // joins after the first two
		ms := db.Messages()
		for i, text := range []string{"one", "two", "three", "four"} {
			// "three" and "four" share a time: the id orders them.
			sent := at.Add(time.Duration(min(i, 2)) * time.Minute)
			if err := ms.AddMessage(ctx, live.Message{ID: "k" + text, CohortID: c.ID, SenderID: "u1", Text: text, SentAt: sent}); err != nil {
				t.Fatal(err)
			}
		}
		texts := func(user, after string) []string {
			t.Helper()
			got, err := ms.MessagesAfter(ctx, user, after, 10)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range got {
				if m.CohortName != c.Name {
					t.Errorf("cohort name %q", m.CohortName)
				}
				out = append(out, m.Text)
			}
			return out
		}
		if got := texts("u2", "kone"); len(got) != 3 || got[0] != "two" || got[1] != "four" || got[2] != "three" {
			t.Fatalf("u2 after one: %v", got)
		}
		if got := texts("u3", "kone"); len(got) != 2 || got[0] != "four" {
			t.Fatalf("u3, who joined later: %v", got)
		}
		if got := texts("u1", "kone"); len(got) != 0 {
			t.Fatalf("u1 is not a trainee of the cohort: %v", got)
		}
		if got := texts("u2", "nothing"); len(got) != 0 {
			t.Fatalf("an unknown mark: %v", got)
		}
		if _, err := s.RemoveMember(ctx, c.ID, "u2", at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := texts("u2", "kone"); len(got) != 0 {
			t.Fatalf("after leaving: %v", got)
		}
	})
}
