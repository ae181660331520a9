package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// cohortFixture stores an organisation, a cohort and people u1…u3.
func cohortFixture(t *testing.T, db *store.DB) (*store.Cohorts, cohorts.Cohort) {
	t.Helper()
	for _, u := range []accounts.User{
		user("u1", "one@example.org", accounts.RoleInstructor),
		user("u2", "two@example.org", accounts.RoleTrainee),
		user("u3", "three@example.org", accounts.RoleTrainee),
	} {
		if err := db.Accounts().CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	s := db.Cohorts()
	now := time.Now().UTC().Truncate(time.Second)
	if err := s.CreateOrganisation(ctx, cohorts.Organisation{ID: "o1", Name: "東京大学", Slug: "utokyo", Kind: cohorts.University, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	c := cohorts.Cohort{ID: "c1", OrganisationID: "o1", Name: "Cloud IR 2026", StartsAt: now, EndsAt: now.Add(24 * time.Hour),
		CapacityReserve: 5, JoinCode: "AAAA-BBBB-CCCC", CreatedAt: now}
	if err := s.CreateCohort(ctx, c); err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestOrganisationsAndTheirMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := cohortFixture(t, db)
		now := time.Now().UTC()
		err := s.CreateOrganisation(ctx, cohorts.Organisation{ID: "o2", Name: "Other", Slug: "utokyo", Kind: cohorts.Company, CreatedAt: now})
		if !errors.Is(err, cohorts.ErrSlugTaken) {
			t.Fatalf("a second slug: %v, want ErrSlugTaken", err)
		}
		if _, err := s.Organisation(ctx, "nope"); !errors.Is(err, cohorts.ErrOrganisationNotFound) {
			t.Fatalf("unknown organisation: %v", err)
		}
		m := cohorts.OrgMembership{ID: "m1", OrganisationID: "o1", Person: cohorts.Person{ID: "u1"}, Role: cohorts.OrgInstructor, JoinedAt: now}
		if _, err := s.PutOrgMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		m.ID, m.Role = "m2", cohorts.OrgAdmin // a second put changes the role of the same row
		got, err := s.PutOrgMember(ctx, m)
		if err != nil || got.ID != "m1" {
			t.Fatalf("second put = %+v, %v", got, err)
		}
		if role, ok, err := s.OrgRole(ctx, "o1", "u1"); err != nil || !ok || role != cohorts.OrgAdmin {
			t.Fatalf("OrgRole = %q %v %v", role, ok, err)
		}
		mine, err := s.Organisations(ctx, "u1")
		if err != nil || len(mine) != 1 || mine[0].Name != "東京大学" {
			t.Fatalf("organisations of u1 = %+v, %v", mine, err)
		}
		if none, _ := s.Organisations(ctx, "u2"); len(none) != 0 {
			t.Fatalf("u2 belongs nowhere, got %+v", none)
		}
		if ok, err := s.RemoveOrgMember(ctx, "o1", "u1", now); err != nil || !ok {
			t.Fatalf("remove = %v %v", ok, err)
		}
		if _, ok, _ := s.OrgRole(ctx, "o1", "u1"); ok {
			t.Fatal("a removed member still has a role")
		}
		if list, _ := s.OrgMembers(ctx, "o1"); len(list) != 0 {
			t.Fatalf("removed members are listed: %+v", list)
		}
	})
}

func TestCohortMembershipsKeepTheirHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		now := time.Now().UTC()
		add := func(id, user string) error {
			return s.AddMembers(ctx, []cohorts.Membership{{ID: id, CohortID: c.ID, Person: cohorts.Person{ID: user},
				Role: cohorts.CohortMember, Via: cohorts.ViaAdded, JoinedAt: now}})
		}
		if err := add("cm1", "u2"); err != nil {
			t.Fatal(err)
		}
		if err := add("cm2", "u2"); !errors.Is(err, cohorts.ErrAlreadyMember) {
			t.Fatalf("a second active row: %v, want ErrAlreadyMember", err)
		}
		if ok, err := s.RemoveMember(ctx, c.ID, "u2", now); !ok || err != nil {
			t.Fatalf("remove = %v %v", ok, err)
		}
		if err := add("cm3", "u2"); err != nil {
			t.Fatalf("joining again after removal: %v", err)
		}
		history, err := s.MemberHistory(ctx, c.ID)
		if err != nil || len(history) != 2 || history[0].RemovedAt == nil || history[1].RemovedAt != nil {
			t.Fatalf("history = %+v, %v; want the removed row and the new one", history, err)
		}
		ms, err := s.Members(ctx, c.ID)
		if err != nil || len(ms) != 1 || ms[0].ID != "cm3" || ms[0].Person.Email != "two@example.org" {
			t.Fatalf("members = %+v, %v", ms, err)
		}
		mine, err := s.Cohorts(ctx, cohorts.CohortFilter{MemberID: "u2"})
		if err != nil || len(mine) != 1 || mine[0].CapacityReserve != 5 || !mine[0].StartsAt.Equal(c.StartsAt) {
			t.Fatalf("cohorts of u2 = %+v, %v", mine, err)
		}
	})
}

func TestCohortJoinCodesAreUniqueAndFindTheirCohort(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		other := c
		other.ID = "c2"
		if err := s.CreateCohort(ctx, other); !errors.Is(err, cohorts.ErrJoinCodeTaken) {
			t.Fatalf("a second cohort with the code: %v", err)
		}
		other.JoinCode = "DDDD-EEEE-FFFF"
		if err := s.CreateCohort(ctx, other); err != nil {
			t.Fatal(err)
		}
		other.JoinCode = c.JoinCode
		if err := s.UpdateCohort(ctx, other); !errors.Is(err, cohorts.ErrJoinCodeTaken) {
			t.Fatalf("rotating onto a taken code: %v", err)
		}
		got, err := s.CohortByJoinCode(ctx, "AAAA-BBBB-CCCC")
		if err != nil || got.ID != "c1" {
			t.Fatalf("by code = %+v, %v", got, err)
		}
		if _, err := s.CohortByJoinCode(ctx, "ZZZZ-ZZZZ-ZZZZ"); !errors.Is(err, cohorts.ErrJoinCodeUnknown) {
			t.Fatalf("unknown code: %v", err)
		}
		missing := c
		missing.ID = "nope"
		if err := s.UpdateCohort(ctx, missing); !errors.Is(err, cohorts.ErrCohortNotFound) {
			t.Fatalf("updating no cohort: %v", err)
		}
	})
}

func TestUsedInvitationsFindTheirAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, c := cohortFixture(t, db)
		now := time.Now().UTC()
		invs := []accounts.Invite{
			{ID: "i1", CodeHash: "h1", Role: accounts.RoleTrainee, Email: "new@example.org", CreatedBy: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
			{ID: "i2", CodeHash: "h2", Role: accounts.RoleTrainee, Email: "later@example.org", CreatedBy: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)},
		}
		if err := s.CreateInvites(ctx, invs); err != nil {
			t.Fatal(err)
		}
		err := s.AddInvitations(ctx, []cohorts.Invitation{
			{ID: "ci1", CohortID: c.ID, InviteID: "i1", Email: "new@example.org", GivenName: "花子", CreatedAt: now},
			{ID: "ci2", CohortID: c.ID, InviteID: "i2", Email: "later@example.org", CreatedAt: now},
		})
		if err != nil {
			t.Fatal(err)
		}
		if used, _ := s.UsedInvitations(ctx, c.ID, ""); len(used) != 0 {
			t.Fatalf("nobody has registered, yet %+v", used)
		}
		if _, err := db.Accounts().ClaimInvite(ctx, "h1", now); err != nil {
			t.Fatal(err)
		}
		if err := db.Accounts().CreateUser(ctx, user("u9", "new@example.org", accounts.RoleTrainee)); err != nil {
			t.Fatal(err)
		}
		used, err := s.UsedInvitations(ctx, "", "new@example.org")
		if err != nil || len(used) != 1 || used[0].UserID != "u9" || used[0].GivenName != "花子" {
			t.Fatalf("used = %+v, %v", used, err)
		}
		if won, err := s.MarkInvitationAccepted(ctx, "ci1", now); err != nil || !won {
			t.Fatalf("first mark = %v, %v", won, err)
		}
		if won, err := s.MarkInvitationAccepted(ctx, "ci1", now); err != nil || won {
			t.Fatalf("second mark = %v, %v; only one reader may take an invitation up", won, err)
		}
		pending, err := s.Invitations(ctx, c.ID)
		if err != nil || len(pending) != 1 || pending[0].ID != "ci2" {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
	})
}
