package cohorts_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/cohorts"
)

func (w *world) importFile(who, file string) (cohorts.ImportResult, error) {
	return w.svc.ImportRoster(ctx, w.people[who], w.cohort["A"].ID, strings.NewReader(file))
}

func (w *world) memberEmails() map[string]bool {
	w.t.Helper()
	ms, _, err := w.svc.Members(ctx, w.people["teachA"], w.cohort["A"].ID)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range ms {
		out[m.Person.Email] = true
	}
	return out
}

func TestImportAddsAccountsAndInvitesTheRest(t *testing.T) {
	w := newWorld(t)
	w.person("jiro", accounts.RoleTrainee)
	file := "\uFEFFsourcedId,givenName,familyName,email,role\r\n" +
		"s-1,次郎,佐藤,JIRO@range.test,student\r\n" +
		"s-2,花子,山田,hanako@range.test,student\r\n" + // already a member: skipped
		"s-3,さくら,高橋,sakura@uni.example,student\r\n" +
		"t-1,,,teachA@range.test,teacher\r\n"
	res, err := w.importFile("teachA", file)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || res.Added[0].Email != "jiro@range.test" || res.Added[0].Line != 2 {
		t.Errorf("added %+v", res.Added)
	}
	if len(res.Skipped) != 2 || res.Skipped[0].Line != 3 || res.Skipped[0].Reason != "already_member" {
		t.Errorf("skipped %+v", res.Skipped)
	}
	if len(res.Invited) != 1 || res.Invited[0].Email != "sakura@uni.example" || res.Invited[0].Code == "" {
		t.Fatalf("invited %+v", res.Invited)
	}
	if !w.memberEmails()["jiro@range.test"] {
		t.Error("jiro is not a member after the import")
	}

	// Sakura registers with her invite and finds herself in the cohort.
	u, err := w.accounts.Register(ctx, accounts.NewUser{Email: "sakura@uni.example", DisplayName: "高橋さくら", Password: "long enough password"}, res.Invited[0].Code)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := w.svc.MyCohorts(ctx, cohorts.Actor{UserID: u.ID, Role: u.Role}, u.Email)
	if err != nil || len(mine) != 1 || mine[0].ID != w.cohort["A"].ID {
		t.Fatalf("sakura's cohorts = %+v, %v", mine, err)
	}
	ms, pending, err := w.svc.Members(ctx, w.people["teachA"], w.cohort["A"].ID)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending after registration = %+v, %v", pending, err)
	}
	for _, m := range ms {
		if m.Person.Email == "sakura@uni.example" && (m.Via != cohorts.ViaInvite || m.SourcedID != "s-3") {
			t.Errorf("sakura's membership = %+v", m)
		}
	}

	again, err := w.importFile("teachA", file)
	if err != nil || len(again.Added)+len(again.Invited) != 0 || len(again.Skipped) != 4 {
		t.Fatalf("importing the same file again = %+v, %v", again, err)
	}
}

func TestImportWithAnyBadRowImportsNothing(t *testing.T) {
	w := newWorld(t)
	w.person("jiro", accounts.RoleTrainee)
	file := "email,givenName,role\n" +
		"jiro@range.test,次郎,student\n" +
		"new@uni.example,新,student\n" +
		"not-an-email,X,student\n" +
		"NEW@uni.example,again,student\n" +
		"p@uni.example,P,guardian\n" +
		"q@uni.example,\"Q\n"
	_, err := w.importFile("teachA", file)
	var re *cohorts.RosterError
	if !errors.As(err, &re) {
		t.Fatalf("err %v, want a RosterError", err)
	}
	wantFault(t, err, "roster_rows_invalid")
	got := map[int]string{}
	for _, r := range re.Rows {
		got[r.Line] = r.Code
	}
	want := map[int]string{4: "email_invalid", 5: "email_duplicate", 6: "role_unsupported", 7: "row_malformed"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("row errors by line %v, want %v", got, want)
	}
	if strings.Contains(re.Rows[1].Message, "line 3") == false {
		t.Errorf("a duplicate should name the first line: %q", re.Rows[1].Message)
	}
	if w.memberEmails()["jiro@range.test"] {
		t.Error("a refused import added a member")
	}
	_, pending, _ := w.svc.Members(ctx, w.people["teachA"], w.cohort["A"].ID)
	if len(pending) != 0 {
		t.Errorf("a refused import left invitations: %+v", pending)
	}
}

func TestImportRefusesShiftJIS(t *testing.T) {
	w := newWorld(t)
	_, err := w.importFile("teachA", "email,givenName\r\nhanako@range.test,\x89\xd4\x8eq\r\n")
	wantFault(t, err, "roster_not_utf8")
}

func TestImportIsForTheCohortsManagers(t *testing.T) {
	w := newWorld(t)
	for who, code := range map[string]string{"hanako": "cohort_forbidden", "teachB": "cohort_not_found", "adminB": "cohort_not_found"} {
		_, err := w.importFile(who, "email\nx@uni.example\n")
		wantFault(t, err, code)
	}
	_, err := w.importFile("teachA", "email,role\nteachB@range.test,teacher\n")
	wantFault(t, err, "roster_rows_invalid")
}

func TestImportOfTenThousandRows(t *testing.T) {
	if testing.Short() {
		t.Skip("a large import")
	}
	w := newWorld(t)
	var b strings.Builder
	b.WriteString("sourcedId,givenName,familyName,email,role\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "s-%d,学生%d,試験,student%d@uni.example,student\n", i, i, i)
	}
	res, err := w.importFile("teachA", b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Invited) != 10_000 || res.Invited[9_999].Line != 10_001 {
		t.Fatalf("invited %d, last on line %d", len(res.Invited), res.Invited[len(res.Invited)-1].Line)
	}
	_, pending, err := w.svc.Members(ctx, w.people["teachA"], w.cohort["A"].ID)
	if err != nil || len(pending) != 10_000 {
		t.Fatalf("%d pending invitations, %v", len(pending), err)
	}
}
