package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/config"
)

// A cohort in session keeps the labs it reserves: others may launch only
// into what is left, and are told why when refused; its members launch into
// the reserve. Once the session is over, nothing is held.
func TestCapacityReserveHoldsLabsForTheClass(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs(), withLoginLimit(50))
	ct := contractOf(t, rg)
	rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	member, _ := rg.userWithRole("member@range.test", accounts.RoleTrainee)
	first, _ := rg.userWithRole("first@range.test", accounts.RoleTrainee)
	second, _ := rg.userWithRole("second@range.test", accounts.RoleTrainee)
	class := rg.teaches("teacher@range.test", "member@range.test")
	ctx, admin := context.Background(), cohorts.Actor{UserID: "range-admin", Role: accounts.RoleAdmin}
	session := func(starts, ends time.Time) {
		t.Helper()
		// All but one of the range's labs are the class's.
		_, err := rg.cohorts.UpdateCohort(ctx, admin, class.ID, cohorts.CohortFields{Name: class.Name, StartsAt: starts, EndsAt: ends,
			CapacityReserve: config.Defaults().LabCapacity - 1})
		if err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	session(now.Add(-time.Hour), now.Add(time.Hour))
	launch := func(token string, status int, code string) {
		t.Helper()
		ct.run(t, rg, exchange{method: "POST", path: "/api/v1/labs", headers: bearer(token), body: map[string]string{"scenario": "orientation"}, status: status, code: code})
	}
	launch(first, 202, "")                              // the one lab not held
	launch(second, 503, "capacity_reserved")            // the rest are the class's
	launch(member, 202, "")                             // a member launches into the reserve
	session(now.Add(-2*time.Hour), now.Add(-time.Hour)) // the session is over
	launch(second, 202, "")
}
