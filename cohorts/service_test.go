package cohorts_test

import (
	"context"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/store/storetest"
)

var ctx = context.Background()

// world is a range with two organisations, each with an org admin, an
// instructor and a cohort, and trainees in the first cohort.
type world struct {
	t        *testing.T
	svc      *cohorts.Service
	store    cohorts.Store
	accounts *accounts.Service
	people   map[string]cohorts.Actor // by short name
	org      map[string]cohorts.Organisation
	cohort   map[string]cohorts.Cohort
}

var start = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world { return newWorldOn(t, "sqlite") }

func newWorldOn(t *testing.T, dialect string) *world {
	t.Helper()
	pw, err := accounts.NewPasswords(accounts.PasswordParams{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, dialect)
	acc := accounts.NewService(db.Accounts(), pw, accounts.Options{RefreshTTL: time.Hour})
	w := &world{t: t, accounts: acc, svc: cohorts.NewService(db.Cohorts(), acc, nil), store: db.Cohorts(),
		people: map[string]cohorts.Actor{}, org: map[string]cohorts.Organisation{}, cohort: map[string]cohorts.Cohort{}}
	w.person("admin", accounts.RoleAdmin)
	for _, name := range []string{"adminA", "teachA", "adminB", "teachB"} {
		w.person(name, accounts.RoleInstructor)
	}
	for _, name := range []string{"hanako", "taro", "partner"} {
		w.person(name, accounts.RoleTrainee)
	}
	w.org["A"] = w.must(w.svc.CreateOrganisation(ctx, w.people["admin"], cohorts.NewOrganisation{Name: "Uni A", Slug: "uni-a", Kind: cohorts.University}))
	w.org["B"] = w.must(w.svc.CreateOrganisation(ctx, w.people["admin"], cohorts.NewOrganisation{Name: "Academy B", Slug: "academy-b", Kind: cohorts.Academy}))
	for _, o := range []string{"A", "B"} {
		w.putOrg(o, "admin"+o, cohorts.OrgAdmin)
		w.putOrg(o, "teach"+o, cohorts.OrgInstructor)
		w.cohort[o] = mustC(t)(w.svc.CreateCohort(ctx, w.people["teach"+o], w.org[o].ID, fields("Class "+o)))
	}
	for _, name := range []string{"hanako", "taro"} {
		if _, err := w.svc.AddMember(ctx, w.people["teachA"], w.cohort["A"].ID, name+"@range.test", cohorts.CohortMember); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func fields(name string) cohorts.CohortFields {
	return cohorts.CohortFields{Name: name, StartsAt: start, EndsAt: start.AddDate(0, 3, 0), CapacityReserve: 10}
}

func (w *world) person(name string, role accounts.Role) {
	u, err := w.accounts.CreateUser(ctx, accounts.NewUser{Email: name + "@range.test", DisplayName: name, Password: "long enough password", Role: role})
	if err != nil {
		w.t.Fatal(err)
	}
	w.people[name] = cohorts.Actor{UserID: u.ID, Role: u.Role}
}

func (w *world) putOrg(org, name string, role cohorts.OrgRole) {
	if _, err := w.svc.PutOrgMember(ctx, w.people["admin"], w.org[org].ID, name+"@range.test", role); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) must(o cohorts.Organisation, err error) cohorts.Organisation {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func mustC(t *testing.T) func(cohorts.Cohort, error) cohorts.Cohort {
	return func(c cohorts.Cohort, err error) cohorts.Cohort {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

func wantFault(t *testing.T, err error, code string) {
	t.Helper()
	f, ok := fault.As(err)
	if !ok || f.Code != code {
		t.Fatalf("err %v, want %s", err, code)
	}
}

func TestAnotherOrganisationsCohortIsNotFound(t *testing.T) {
	w := newWorld(t)
	a := w.cohort["A"].ID
	for _, who := range []string{"teachB", "adminB", "partner"} {
		_, err := w.svc.Cohort(ctx, w.people[who], a)
		wantFault(t, err, "cohort_not_found")
		_, _, err = w.svc.Members(ctx, w.people[who], a)
		wantFault(t, err, "cohort_not_found")
		_, err = w.svc.RotateJoinCode(ctx, w.people[who], a)
		wantFault(t, err, "cohort_not_found")
		_, err = w.svc.Organisation(ctx, w.people[who], w.org["A"].ID)
		wantFault(t, err, "organisation_not_found")
	}
	// An instructor of the same organisation who does not teach the cohort
	// does not see it either.
	w.person("teachA2", accounts.RoleInstructor)
	w.putOrg("A", "teachA2", cohorts.OrgInstructor)
	_, err := w.svc.Cohort(ctx, w.people["teachA2"], a)
	wantFault(t, err, "cohort_not_found")
}

func TestMembersSeeTheirCohortButNotItsCodeOrRoster(t *testing.T) {
	w := newWorld(t)
	a := w.cohort["A"].ID
	view, err := w.svc.Cohort(ctx, w.people["hanako"], a)
	if err != nil || view.JoinCode != "" || view.Manages {
		t.Fatalf("member's view = %+v, %v", view, err)
	}
	_, _, err = w.svc.Members(ctx, w.people["hanako"], a)
	wantFault(t, err, "cohort_forbidden")
	mine, err := w.svc.MyCohorts(ctx, w.people["hanako"], "hanako@range.test")
	if err != nil || len(mine) != 1 || mine[0].ID != a || mine[0].Role != cohorts.CohortMember || mine[0].JoinCode != "" {
		t.Fatalf("hanako's cohorts = %+v, %v", mine, err)
	}
	for _, who := range []string{"teachA", "adminA", "admin"} {
		view, err := w.svc.Cohort(ctx, w.people[who], a)
		if err != nil || view.JoinCode == "" || !view.Manages {
			t.Fatalf("%s's view = %+v, %v", who, view, err)
		}
	}
}

func TestOrgAdminsRunOnlyTheirOrganisation(t *testing.T) {
	w := newWorld(t)
	adminA := w.people["adminA"]
	w.person("newteacher", accounts.RoleInstructor)
	if _, err := w.svc.PutOrgMember(ctx, adminA, w.org["A"].ID, "newteacher@range.test", cohorts.OrgInstructor); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.PutOrgMember(ctx, adminA, w.org["A"].ID, "newteacher@range.test", cohorts.OrgAdmin)
	wantFault(t, err, "org_admin_by_admins")
	_, err = w.svc.PutOrgMember(ctx, adminA, w.org["B"].ID, "newteacher@range.test", cohorts.OrgInstructor)
	wantFault(t, err, "organisation_not_found")
	_, err = w.svc.PutOrgMember(ctx, adminA, w.org["A"].ID, "hanako@range.test", cohorts.OrgInstructor)
	wantFault(t, err, "role_needs_staff")
	err = w.svc.RemoveOrgMember(ctx, w.people["teachA"], w.org["A"].ID, adminA.UserID)
	wantFault(t, err, "cohort_forbidden")
	_, err = w.svc.CreateOrganisation(ctx, adminA, cohorts.NewOrganisation{Name: "X", Slug: "x", Kind: cohorts.Company})
	wantFault(t, err, "admins_only")
	list, err := w.svc.Cohorts(ctx, adminA, "", false)
	if err != nil || len(list) != 1 || list[0].ID != w.cohort["A"].ID {
		t.Fatalf("adminA's cohorts = %+v, %v", list, err)
	}
	orgs, err := w.svc.Organisations(ctx, adminA)
	if err != nil || len(orgs) != 1 || orgs[0].Slug != "uni-a" {
		t.Fatalf("adminA's organisations = %+v, %v", orgs, err)
	}
}

func TestCohortFieldsAreChecked(t *testing.T) {
	w := newWorld(t)
	teach := w.people["teachA"]
	bad := fields("x")
	bad.EndsAt = bad.StartsAt
	_, err := w.svc.CreateCohort(ctx, teach, w.org["A"].ID, bad)
	wantFault(t, err, "ends_before_start")
	bad = fields("  ")
	_, err = w.svc.CreateCohort(ctx, teach, w.org["A"].ID, bad)
	wantFault(t, err, "name_required")
	bad = fields("x")
	bad.CapacityReserve = -1
	_, err = w.svc.UpdateCohort(ctx, teach, w.cohort["A"].ID, bad)
	wantFault(t, err, "capacity_reserve_invalid")
	_, err = w.svc.CreateCohort(ctx, w.people["hanako"], w.org["A"].ID, fields("x"))
	wantFault(t, err, "organisation_not_found")
}

func TestJoiningByCode(t *testing.T) {
	w := newWorld(t)
	teach, partner := w.people["teachA"], w.people["partner"]
	view, _ := w.svc.Cohort(ctx, teach, w.cohort["A"].ID)
	typed := " " + lower(view.JoinCode) + " "
	got, err := w.svc.Join(ctx, partner, typed)
	if err != nil || got.ID != view.ID || got.Role != cohorts.CohortMember || got.JoinCode != "" {
		t.Fatalf("join = %+v, %v", got, err)
	}
	if _, err := w.svc.Join(ctx, partner, view.JoinCode); err != nil {
		t.Fatalf("joining twice should be no error: %v", err)
	}
	rotated, err := w.svc.RotateJoinCode(ctx, teach, view.ID)
	if err != nil || rotated.JoinCode == view.JoinCode {
		t.Fatalf("rotate = %+v, %v", rotated, err)
	}
	_, err = w.svc.Join(ctx, w.people["teachB"], view.JoinCode)
	wantFault(t, err, "join_code_unknown")
	_, err = w.svc.Join(ctx, w.people["teachB"], "")
	wantFault(t, err, "join_code_required")
	if _, err := w.svc.ArchiveCohort(ctx, teach, view.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Join(ctx, w.people["teachB"], rotated.JoinCode)
	wantFault(t, err, "join_code_unknown")
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestRemovingAMemberEndsTheirPlaceOnly(t *testing.T) {
	w := newWorld(t)
	teach, hanako, a := w.people["teachA"], w.people["hanako"], w.cohort["A"].ID
	if err := w.svc.RemoveMember(ctx, teach, a, hanako.UserID); err != nil {
		t.Fatal(err)
	}
	wantFault(t, w.svc.RemoveMember(ctx, teach, a, hanako.UserID), "member_not_found")
	_, err := w.svc.Cohort(ctx, hanako, a)
	wantFault(t, err, "cohort_not_found")
	if _, err := w.svc.AddMember(ctx, teach, a, "hanako@range.test", cohorts.CohortMember); err != nil {
		t.Fatalf("adding back: %v", err)
	}
	_, err = w.svc.AddMember(ctx, teach, a, "hanako@range.test", cohorts.CohortMember)
	wantFault(t, err, "already_member")
	_, err = w.svc.AddMember(ctx, teach, a, "nobody@range.test", cohorts.CohortMember)
	wantFault(t, err, "person_unknown")
	_, err = w.svc.AddMember(ctx, teach, a, "teachB@range.test", cohorts.CohortInstructor)
	wantFault(t, err, "not_org_instructor")
}
