package cohorts_test

import (
	"context"
	"sync"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/store/storetest"
)

// A double click on Join, or two tabs, must not fail one of them, and the
// person is in the cohort once.
func TestConcurrentJoinsMakeOneMembership(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			w := newWorldOn(t, dialect)
			view, _ := w.svc.Cohort(ctx, w.people["teachA"], w.cohort["A"].ID)
			errs := make(chan error, 8)
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := w.svc.Join(ctx, w.people["partner"], view.JoinCode)
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("a concurrent join failed: %v", err)
				}
			}
			ms, _, _ := w.svc.Members(ctx, w.people["teachA"], view.ID)
			n := 0
			for _, m := range ms {
				if m.Person.ID == w.people["partner"].UserID {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d memberships, want 1", n)
			}
		})
	}
}

// Readers racing to take up a registered person's invitation make one
// membership between them, and none of them fails.
func TestConcurrentReadersTakeAnInvitationUpOnce(t *testing.T) {
	for _, dialect := range storetest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			w := newWorldOn(t, dialect)
			res, err := w.importFile("teachA", "email\nnew@uni.example\n")
			if err != nil {
				t.Fatal(err)
			}
			u, err := w.accounts.Register(ctx, accounts.NewUser{Email: "new@uni.example", Password: "long enough password"}, res.Invited[0].Code)
			if err != nil {
				t.Fatal(err)
			}
			me := cohorts.Actor{UserID: u.ID, Role: u.Role}
			errs := make(chan error, 8)
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var err error
					if i%2 == 0 {
						_, err = w.svc.MyCohorts(ctx, me, u.Email)
					} else {
						_, _, err = w.svc.Members(ctx, w.people["teachA"], w.cohort["A"].ID)
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("a reader failed: %v", err)
				}
			}
			mine, err := w.svc.MyCohorts(ctx, me, u.Email)
			if err != nil || len(mine) != 1 {
				t.Fatalf("cohorts = %+v, %v", mine, err)
			}
		})
	}
}

// blindStore answers that nobody is in any cohort, as a second join sees
// it when the first has not yet committed.
type blindStore struct{ cohorts.Store }

func (b blindStore) InTx(ctx context.Context, fn func(cohorts.Store) error) error {
	return b.Store.InTx(ctx, func(tx cohorts.Store) error { return fn(blindStore{tx}) })
}

func (blindStore) CohortRole(context.Context, string, string) (cohorts.CohortRole, bool, error) {
	return "", false, nil
}

// The join that loses the race to insert succeeds too.
func TestAJoinThatLosesTheRaceSucceeds(t *testing.T) {
	w := newWorld(t)
	view, _ := w.svc.Cohort(ctx, w.people["teachA"], w.cohort["A"].ID)
	blind := cohorts.NewService(blindStore{w.store}, w.accounts, nil)
	got, err := blind.Join(ctx, w.people["hanako"], view.JoinCode) // hanako is already in
	if err != nil || got.ID != view.ID {
		t.Fatalf("join = %+v, %v", got, err)
	}
}
