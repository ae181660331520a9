package server_test

import (
	"strings"
	"testing"
)

// Erasing a trainee removes their name and address from what partners
// read, ends their sign-in, and leaves the cohort's totals as they were.
func TestErasedTraineesRecordsStayUnderAPseudonym(t *testing.T) {
	cl := newPartnerClass(t)
	summary := "/api/partner/v1/cohorts/" + cl.a["id"].(string) + "/summary"
	roster := "/api/partner/v1/cohorts/" + cl.a["id"].(string) + "/exports/roster?format=csv"
	before := cl.rg.call("GET", summary, nil, bearer(cl.secret["A"])...)
	if !strings.Contains(cl.rg.call("GET", roster, nil, bearer(cl.secret["A"])...).raw, "trainee@range.test") {
		t.Fatal("the roster lacks the trainee before erasure")
	}
	id := cl.userID["trainee"]
	self := cl.ok("admin", "GET", "/api/v1/me", nil, 200)["id"].(string)
	cl.rg.check(t, []apiCase{
		{name: "not by an org admin", method: "POST", url: "/api/v1/users/" + id + "/erase", token: cl.token["adminA"], status: 403, code: "forbidden"},
		{name: "not oneself", method: "POST", url: "/api/v1/users/" + self + "/erase", token: cl.token["admin"], status: 409, code: "self_change_forbidden"},
		{name: "unknown", method: "POST", url: "/api/v1/users/nobody/erase", token: cl.token["admin"], status: 404, code: "user_not_found"},
		{name: "erased", method: "POST", url: "/api/v1/users/" + id + "/erase", token: cl.token["admin"], status: 200, has: []string{"Erased "}, hasNot: []string{"trainee@range.test"}},
		{name: "again changes nothing", method: "POST", url: "/api/v1/users/" + id + "/erase", token: cl.token["admin"], status: 200},
	})
	after := cl.rg.call("GET", summary, nil, bearer(cl.secret["A"])...)
	for _, k := range []string{"members", "records", "solves", "points", "active"} {
		if before.body[k] != after.body[k] {
			t.Errorf("%s was %v before erasure, %v after", k, before.body[k], after.body[k])
		}
	}
	if got := cl.rg.call("GET", roster, nil, bearer(cl.secret["A"])...).raw; strings.Contains(got, "trainee@range.test") || !strings.Contains(got, "Erased ") {
		t.Errorf("the roster after erasure: %s", got)
	}
	if r := cl.rg.call("GET", "/api/partner/v1/records", nil, bearer(cl.secret["A"])...); !strings.Contains(r.raw, cl.record) {
		t.Errorf("the feed lost the erased trainee's record: %s", r.raw)
	}
	login := cl.rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "trainee@range.test", "password": "correct horse battery staple"})
	if login.status == 200 {
		t.Fatal("an erased person signed in")
	}
	if r := cl.rg.call("GET", "/api/v1/audit?action=user.erase", nil, bearer(cl.token["admin"])...); !strings.Contains(r.raw, id) {
		t.Fatalf("the erasure is not in the audit log: %s", r.raw)
	}
}
