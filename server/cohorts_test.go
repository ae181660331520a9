package server_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

// class is a range with two organisations, A and B, each with an org admin,
// an instructor and a cohort, a trainee in cohort A, and a partner in
// neither. Tokens are by role name; "anon" is signed out.
type class struct {
	rg     *range_
	token  map[string]string
	userID map[string]string
	orgA   string
	orgB   string
	a      map[string]any // cohort A as its instructor sees it
	b      map[string]any
}

func newClass(t *testing.T, opts ...option) *class {
	t.Helper()
	return classOn(t, newRange(t, opts...))
}

// classOn sets the class up on a range made by the caller.
func classOn(t *testing.T, rg *range_) *class {
	t.Helper()
	cl := &class{rg: rg, token: map[string]string{"admin": rg.setupAdmin()}, userID: map[string]string{}}
	for name, role := range map[string]accounts.Role{
		"trainee": accounts.RoleTrainee, "teachA": accounts.RoleInstructor, "teachB": accounts.RoleInstructor,
		"adminA": accounts.RoleInstructor, "adminB": accounts.RoleInstructor, "partner": accounts.RolePartner,
	} {
		cl.token[name], _ = rg.userWithRole(name+"@range.test", role)
		me := rg.call("GET", "/api/v1/me", nil, bearer(cl.token[name])...)
		cl.userID[name] = me.body["id"].(string)
	}
	cl.orgA = cl.ok("admin", "POST", "/api/v1/organisations", map[string]string{"name": "東京工業大学", "slug": "uni-a", "kind": "university"}, 201)["id"].(string)
	cl.orgB = cl.ok("admin", "POST", "/api/v1/organisations", map[string]string{"name": "Academy B", "slug": "academy-b", "kind": "academy"}, 201)["id"].(string)
	for org, id := range map[string]string{"A": cl.orgA, "B": cl.orgB} {
		cl.ok("admin", "POST", "/api/v1/organisations/"+id+"/members", map[string]string{"email": "admin" + org + "@range.test", "role": "org_admin"}, 200)
		cl.ok("admin"+org, "POST", "/api/v1/organisations/"+id+"/members", map[string]string{"email": "teach" + org + "@range.test", "role": "instructor"}, 200)
	}
	cl.a = cl.ok("teachA", "POST", "/api/v1/cohorts", cohortBody(cl.orgA, "Cloud IR A"), 201)
	cl.b = cl.ok("teachB", "POST", "/api/v1/cohorts", cohortBody(cl.orgB, "Cloud IR B"), 201)
	cl.ok("trainee", "POST", "/api/v1/cohorts/join", map[string]string{"code": cl.a["join_code"].(string)}, 200)
	return cl
}

func cohortBody(org, name string) map[string]any {
	return map[string]any{"organisation_id": org, "name": name, "starts_at": "2026-04-01T09:00:00+09:00",
		"ends_at": "2026-07-31T18:00:00+09:00", "capacity_reserve": 20}
}

// ok sends a request as who and fails unless it gets status.
func (cl *class) ok(who, method, path string, body any, status int) map[string]any {
	cl.rg.t.Helper()
	r := cl.rg.call(method, path, body, bearer(cl.token[who])...)
	expect(cl.rg.t, r, status, "")
	return r.body
}

// Every new endpoint, called by every role, answers as the table says:
// another organisation's cohort or organisation is not found, a member
// may look but not change, and only range admins make organisations.
func TestCohortAuthorizationTable(t *testing.T) {
	cl := newClass(t)
	ct := contractOf(t, cl.rg)
	a, orgA := "/api/v1/cohorts/"+cl.a["id"].(string), "/api/v1/organisations/"+cl.orgA
	roles := []string{"trainee", "teachA", "teachB", "adminA", "adminB", "partner", "admin", "anon"}
	const (
		ok        = "200"
		created   = "201"
		anon      = "401 token_missing"
		forbidden = "403 forbidden"
		looks     = "403 cohort_forbidden"
		noCohort  = "404 cohort_not_found"
		noOrg     = "404 organisation_not_found"
		// An assignment of a cohort the caller has no part in is not found.
		noAssignment = "404 assignment_not_found"
	)
	newMember := map[string]string{"email": "nobody@range.test", "role": "member"}
	assignment := cl.ok("teachA", "POST", a+"/assignments", assignmentBody("cloud-ir"), 201)["id"].(string)
	as := "/api/v1/assignments/" + assignment
	csv := []string{"Content-Type", "text/csv"}
	table := []struct {
		method, path string
		body         any
		headers      []string
		//      trainee, teachA (this cohort), teachB (other org), adminA (this org), adminB (other org), partner, admin, anon
		want [8]string
	}{
		{"POST", "/api/v1/organisations", map[string]string{}, nil, [8]string{forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, "400 name_required", anon}},
		{"GET", "/api/v1/organisations", nil, nil, [8]string{ok, ok, ok, ok, ok, ok, ok, anon}},
		{"GET", orgA, nil, nil, [8]string{noOrg, ok, noOrg, ok, noOrg, noOrg, ok, anon}},
		{"GET", orgA + "/members", nil, nil, [8]string{noOrg, looks, noOrg, ok, noOrg, noOrg, ok, anon}},
		{"POST", orgA + "/members", newMember, nil, [8]string{noOrg, looks, noOrg, "400 person_unknown", noOrg, noOrg, "400 person_unknown", anon}},
		{"DELETE", orgA + "/members/nobody", nil, nil, [8]string{noOrg, looks, noOrg, "404 member_not_found", noOrg, noOrg, "404 member_not_found", anon}},
		{"POST", "/api/v1/cohorts", cohortBody(cl.orgA, "Another"), nil, [8]string{noOrg, created, noOrg, created, noOrg, noOrg, created, anon}},
		{"GET", "/api/v1/cohorts", nil, nil, [8]string{ok, ok, ok, ok, ok, ok, ok, anon}},
		{"GET", a, nil, nil, [8]string{ok, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
		{"PUT", a, cohortBody("", "Cloud IR A, renamed"), nil, [8]string{looks, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
		{"GET", a + "/members", nil, nil, [8]string{looks, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
		{"POST", a + "/members", newMember, nil, [8]string{looks, "400 person_unknown", noCohort, "400 person_unknown", noCohort, noCohort, "400 person_unknown", anon}},
		{"DELETE", a + "/members/nobody", nil, nil, [8]string{looks, "404 member_not_found", noCohort, "404 member_not_found", noCohort, noCohort, "404 member_not_found", anon}},
		{"POST", a + "/join-code", nil, nil, [8]string{looks, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
		{"POST", a + "/roster", "email\nnew@uni.example\n", csv, [8]string{looks, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
		{"POST", "/api/v1/cohorts/join", map[string]string{"code": "0000-0000-0000"}, nil, [8]string{"400 join_code_unknown", "400 join_code_unknown", "400 join_code_unknown", "400 join_code_unknown", "400 join_code_unknown", "400 join_code_unknown", "400 join_code_unknown", anon}},
		{"GET", "/api/v1/me/cohorts", nil, nil, [8]string{ok, ok, ok, ok, ok, ok, ok, anon}},
		{"GET", a + "/assignments", nil, nil, [8]string{ok, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
		{"POST", a + "/assignments", assignmentBody("cloud-ir"), nil, [8]string{looks, created, noCohort, created, noCohort, noCohort, created, anon}},
		{"PUT", as, assignmentBody("cloud-ir"), nil, [8]string{looks, ok, noAssignment, ok, noAssignment, noAssignment, ok, anon}},
		{"GET", as + "/status", nil, nil, [8]string{looks, ok, noAssignment, ok, noAssignment, noAssignment, ok, anon}},
		{"GET", "/api/v1/me/assignments", nil, nil, [8]string{ok, ok, ok, ok, ok, ok, ok, anon}},
		// Roles in order: teachA deletes it, so those after find it gone.
		{"DELETE", as, nil, nil, [8]string{looks, "204", noAssignment, noAssignment, noAssignment, noAssignment, noAssignment, anon}},
		// Last, as it archives the cohort the rows above act on.
		{"DELETE", a, nil, nil, [8]string{looks, ok, noCohort, ok, noCohort, noCohort, ok, anon}},
	}
	for _, row := range table {
		for i, role := range roles {
			t.Run(fmt.Sprintf("%s %s as %s", row.method, strings.TrimPrefix(row.path, "/api/v1"), role), func(t *testing.T) {
				var status int
				var code string
				want := row.want[i]
				if s, c, found := strings.Cut(want, " "); found {
					fmt.Sscan(s, &status)
					code = c
				} else {
					fmt.Sscan(want, &status)
				}
				headers := append([]string{}, row.headers...)
				if role != "anon" {
					headers = append(headers, bearer(cl.token[role])...)
				}
				if row.headers != nil {
					r := cl.rg.call(row.method, row.path, row.body, headers...)
					if r.status != status || (code != "" && r.errorCode() != code) {
						t.Errorf("%d %q, want %s; body %.300s", r.status, r.errorCode(), want, r.raw)
					}
					ct.repliesWithin(t, row.method, row.path, r)
					return
				}
				ct.run(t, cl.rg, exchange{method: row.method, path: row.path, body: row.body, headers: headers, status: status, code: code})
			})
		}
	}
}

// repliesWithin holds only the reply to the contract, for requests whose
// body is not JSON (a roster file).
func (ct contract) repliesWithin(t *testing.T, method, path string, r reply) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	route, params, err := ct.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in the contract: %v", method, path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.status, Header: r.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes([]byte(r.raw))
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s → %d breaks the contract: %v\nbody: %.300s", method, path, r.status, err, r.raw)
	}
	if _, isError := r.body["error"]; isError {
		codes := errorCodes(route.Operation.Responses.Status(r.status))
		found := false
		for _, c := range codes {
			found = found || c == r.errorCode()
		}
		if !found {
			t.Errorf("%s %s → %d %q: the contract lists only %v", method, path, r.status, r.errorCode(), codes)
		}
	}
}

// Lists show each person only their own part of the range.
func TestCohortListsAreScopedToTheCaller(t *testing.T) {
	cl := newClass(t)
	a, b := cl.a["id"].(string), cl.b["id"].(string)
	cases := []struct {
		who, path string
		has       []string
		hasNot    []string
	}{
		{"admin", "/api/v1/cohorts", []string{a, b}, nil},
		{"adminA", "/api/v1/cohorts", []string{a}, []string{b}},
		{"teachB", "/api/v1/cohorts", []string{b}, []string{a}},
		{"trainee", "/api/v1/cohorts", nil, []string{a, b}},
		{"trainee", "/api/v1/me/cohorts", []string{a, `"role":"member"`}, []string{b, "join_code"}},
		{"adminB", "/api/v1/organisations", []string{cl.orgB}, []string{cl.orgA}},
		{"partner", "/api/v1/organisations", nil, []string{cl.orgA, cl.orgB}},
		{"trainee", "/api/v1/cohorts/" + a, []string{a}, []string{"join_code"}},
	}
	var checks []apiCase
	for _, c := range cases {
		checks = append(checks, apiCase{name: c.who + " " + c.path, method: "GET", url: c.path, token: cl.token[c.who], status: 200, has: c.has, hasNot: c.hasNot})
	}
	cl.rg.check(t, checks)
}

// Bad input gets 400 with the field at fault.
func TestCohortInputIsCheckedByField(t *testing.T) {
	cl := newClass(t)
	teach, org := cl.token["teachA"], cl.orgA
	body := func(change func(map[string]any)) map[string]any {
		b := cohortBody(org, "Class")
		change(b)
		return b
	}
	cases := []struct {
		name  string
		body  any
		code  string
		field string
	}{
		{"bad date", body(func(b map[string]any) { b["starts_at"] = "1 April" }), "date_invalid", "starts_at"},
		{"end before start", body(func(b map[string]any) { b["ends_at"] = "2026-03-01T00:00:00Z" }), "ends_before_start", "ends_at"},
		{"no name", body(func(b map[string]any) { b["name"] = " " }), "name_required", "name"},
		{"no organisation", body(func(b map[string]any) { delete(b, "organisation_id") }), "organisation_required", "organisation_id"},
		{"reserve", body(func(b map[string]any) { b["capacity_reserve"] = 100000 }), "capacity_reserve_invalid", "capacity_reserve"},
		{"reserve type", body(func(b map[string]any) { b["capacity_reserve"] = "ten" }), "field_type_invalid", "capacity_reserve"},
		{"unknown field", body(func(b map[string]any) { b["colour"] = "red" }), "field_unknown", "colour"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := cl.rg.call("POST", "/api/v1/cohorts", c.body, bearer(teach)...)
			expect(t, r, 400, c.code)
			if r.errorField() != c.field {
				t.Errorf("field %q, want %q", r.errorField(), c.field)
			}
		})
	}
	r := cl.rg.call("POST", "/api/v1/organisations", map[string]string{"name": "X", "slug": "Not A Slug", "kind": "university"}, bearer(cl.token["admin"])...)
	expect(t, r, 400, "slug_invalid")
	r = cl.rg.call("POST", "/api/v1/organisations", map[string]string{"name": "X", "slug": "uni-a", "kind": "university"}, bearer(cl.token["admin"])...)
	expect(t, r, 400, "slug_taken")
	r = cl.rg.call("POST", "/api/v1/organisations/"+org+"/members", map[string]string{"email": "trainee@range.test", "role": "boss"}, bearer(cl.token["adminA"])...)
	expect(t, r, 400, "org_role_invalid")
	r = cl.rg.call("POST", "/api/v1/organisations/"+org+"/members", map[string]string{"email": "teachB@range.test", "role": "org_admin"}, bearer(cl.token["adminA"])...)
	expect(t, r, 403, "org_admin_by_admins")
}

// A roster import through the API: wrong rows come back by line with
// nothing imported; a corrected file invites the unknown person, who
// registers and finds the cohort on their home page.
func TestRosterImportOverHTTP(t *testing.T) {
	cl := newClass(t)
	ct := contractOf(t, cl.rg)
	path := "/api/v1/cohorts/" + cl.a["id"].(string) + "/roster"
	send := func(file string, ctype string) reply {
		r := cl.rg.call("POST", path, file, "Content-Type", ctype, "Authorization", "Bearer "+cl.token["teachA"])
		ct.repliesWithin(t, "POST", path, r)
		return r
	}
	bad := "\uFEFFsourcedId,givenName,familyName,email,role\n" +
		"s1,花子,山田,hanako@uni.example,student\n" +
		"s2,太郎,鈴木,HANAKO@uni.example,student\n" +
		"s3,X,Y,trainee@range.test,parent\n"
	r := send(bad, "text/csv")
	expect(t, r, 400, "roster_rows_invalid")
	rows, _ := r.body["rows"].([]any)
	if len(rows) != 2 || !strings.Contains(r.raw, `"line":3`) || !strings.Contains(r.raw, `"line":4`) || !strings.Contains(r.raw, "email_duplicate") {
		t.Fatalf("row errors: %s", r.raw)
	}
	expect(t, send("email\nx@uni.example\n", "application/json"), 400, "roster_media_type")
	expect(t, send("email,givenName\r\nhanako@uni.example,\x89\xd4\x8eq\r\n", "text/csv; charset=shift_jis"), 400, "roster_not_utf8")

	good := "\uFEFFsourcedId,givenName,familyName,email,role\n" +
		"s1,花子,山田,hanako@uni.example,student\n" +
		"s3,,,trainee@range.test,student\n"
	r = send(good, "text/csv")
	expect(t, r, 200, "")
	invited, _ := r.body["invited"].([]any)
	if len(invited) != 1 || !strings.Contains(r.raw, `"reason":"already_member"`) {
		t.Fatalf("import: %s", r.raw)
	}
	code := invited[0].(map[string]any)["code"].(string)
	reg := cl.rg.call("POST", "/api/v1/auth/register", map[string]string{
		"email": "hanako@uni.example", "display_name": "山田花子", "password": "long enough password", "invite_code": code,
	})
	expect(t, reg, 201, "")
	mine := cl.rg.call("GET", "/api/v1/me/cohorts", nil, bearer(reg.body["access_token"].(string))...)
	expect(t, mine, 200, "")
	if !strings.Contains(mine.raw, cl.a["id"].(string)) {
		t.Fatalf("the invited trainee's cohorts: %s", mine.raw)
	}
	members := cl.ok("teachA", "GET", "/api/v1/cohorts/"+cl.a["id"].(string)+"/members", nil, 200)
	if list, _ := members["invitations"].([]any); len(list) != 0 {
		t.Errorf("invitation still pending after registration: %v", members)
	}
}

// A join code rotated stops working; a member removed keeps no access.
func TestJoinCodeRotationAndRemovalOverHTTP(t *testing.T) {
	cl := newClass(t)
	a := "/api/v1/cohorts/" + cl.a["id"].(string)
	old := cl.a["join_code"].(string)
	rotated := cl.ok("teachA", "POST", a+"/join-code", nil, 200)
	if rotated["join_code"] == old {
		t.Fatal("the code did not change")
	}
	r := cl.rg.call("POST", "/api/v1/cohorts/join", map[string]string{"code": old}, bearer(cl.token["partner"])...)
	expect(t, r, 400, "join_code_unknown")
	cl.ok("partner", "POST", "/api/v1/cohorts/join", map[string]string{"code": strings.ToLower(rotated["join_code"].(string))}, 200)
	cl.ok("teachA", "DELETE", a+"/members/"+cl.userID["partner"], nil, 204)
	r = cl.rg.call("GET", a, nil, bearer(cl.token["partner"])...)
	expect(t, r, 404, "cohort_not_found")
}

func withBodyLimit(n int) option {
	return func(d *server.Deps, _ *accounts.Options) { d.Options.BodyLimit = n }
}

// A roster of 10,000 people, with Japanese names, imports in one request
// within the default body limit (1 MiB).
func TestRosterOfTenThousandOverHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("a large import")
	}
	cl := newClass(t, withBodyLimit(1<<20))
	var b strings.Builder
	b.WriteString("\uFEFFsourcedId,givenName,familyName,email,role\r\n")
	for i := range 10_000 {
		fmt.Fprintf(&b, "s%d,花子,山田,p%d@uni.example,student\r\n", i, i)
	}
	if b.Len() > 1<<20 {
		t.Fatalf("the file is %d bytes, over the default limit", b.Len())
	}
	path := "/api/v1/cohorts/" + cl.a["id"].(string) + "/roster"
	r := cl.rg.call("POST", path, b.String(), "Content-Type", "text/csv", "Authorization", "Bearer "+cl.token["teachA"])
	expect(t, r, 200, "")
	if invited, _ := r.body["invited"].([]any); len(invited) != 10_000 {
		t.Fatalf("%d invited", len(invited))
	}
}
