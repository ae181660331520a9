package store_test

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// Erasing scrubs the account and the roster's id for the person, and
// leaves their records where they were.
func TestErasePersonKeepsRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feedFixture(t, db)
		must(t, db.Scoring().Record(ctx, record("r1", "t1")))
		u, err := db.Accounts().UserByID(ctx, "t1")
		must(t, err)
		must(t, db.Accounts().ErasePerson(ctx, u, accounts.Pseudonym("t1"), time.Now().UTC()))
		after, err := db.Accounts().UserByID(ctx, "t1")
		must(t, err)
		if after.Email == u.Email || after.DisplayName != accounts.Pseudonym("t1") || after.PasswordHash != "" || !after.Disabled() {
			t.Fatalf("after erasure: %+v", after)
		}
		if _, err := db.Accounts().UserByEmail(ctx, u.Email); err == nil {
			t.Fatal("the erased email still finds the account")
		}
		recs, err := db.Partners().TraineeRecords(ctx, "o1", "t1")
		if err != nil || len(recs) != 1 {
			t.Fatalf("records after erasure: %v, %v", recs, err)
		}
	})
}
