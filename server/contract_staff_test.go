package server_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// The staff and admin endpoints answer within the contract, right or wrong.
func TestStaffRepliesKeepToTheContract(t *testing.T) {
	d := fakeLabs()
	rg := newRangeWithLabs(t, d, withLoginLimit(50))
	ct := contractOf(t, rg)
	admin := bearer(rg.setupAdmin())
	trainee, _ := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "trainee@range.test")
	as, staff := bearer(trainee), bearer(teacher)
	traineeID := rg.userID("trainee@range.test")

	lab := "/api/v1/labs/" + runningLab(t, rg, trainee)
	staffLab := strings.Replace(lab, "/labs/", "/staff/labs/", 1)
	ct.runAll(t, rg, []exchange{
		{method: "POST", path: lab + "/objectives/first-flag", headers: as, body: map[string]string{"answer": flagIn(t, d, strings.TrimPrefix(lab, "/api/v1/labs/"))}, status: 200},
		{method: "GET", path: staffLab, headers: staff, status: 200},
		{method: "GET", path: staffLab, headers: as, status: 403, code: "forbidden"},
		{method: "GET", path: "/api/v1/staff/labs/lnotalabatall", headers: staff, status: 404, code: "lab_not_found"},
		{method: "POST", path: staffLab + "/shadow", headers: staff, status: 200},
		{method: "POST", path: staffLab + "/shadow", headers: as, status: 403, code: "forbidden"},
		{method: "GET", path: staffLab + "/shadow/ws", status: 400, code: "websocket_required"},
		{method: "GET", path: "/api/v1/scoring/suspicions", headers: staff, status: 200},
		{method: "GET", path: "/api/v1/scoring/trainees/" + traineeID, headers: staff, status: 200},

		{method: "GET", path: "/api/v1/users?q=trainee", headers: admin, status: 200},
		{method: "GET", path: "/api/v1/users?q=" + strings.Repeat("x", 255), headers: admin, status: 400, code: "search_too_long"},
		{method: "PATCH", path: "/api/v1/users/" + traineeID, headers: admin, body: map[string]any{"role": "instructor", "disabled": true}, status: 200},
		{method: "PATCH", path: "/api/v1/users/" + traineeID, headers: admin, body: map[string]any{"role": "trainee", "disabled": false}, status: 200},
		{method: "PATCH", path: "/api/v1/users/" + traineeID, headers: admin, body: map[string]any{}, status: 400, code: "change_required"},
		{method: "PATCH", path: "/api/v1/users/" + rg.userID("admin@range.test"), headers: admin, body: map[string]any{"disabled": true}, status: 409, code: "self_change_forbidden"},
		{method: "PATCH", path: "/api/v1/users/nobody", headers: admin, body: map[string]any{"disabled": true}, status: 404, code: "user_not_found"},
		{method: "PATCH", path: "/api/v1/users/" + traineeID, headers: staff, body: map[string]any{"disabled": true}, status: 403, code: "forbidden"},
		{method: "POST", path: "/api/v1/invites", headers: staff, body: []map[string]any{{"email": "a@range.test"}, {"email": "b@range.test"}}, status: 201},
		{method: "POST", path: "/api/v1/invites", headers: staff, body: []map[string]any{}, status: 400, code: "invites_required"},
		{method: "GET", path: "/api/v1/invites", headers: staff, status: 200},
		{method: "GET", path: "/api/v1/invites", headers: as, status: 403, code: "forbidden"},
		{method: "DELETE", path: "/api/v1/invites/nope", headers: staff, status: 404, code: "invite_not_found"},
		{method: "POST", path: "/api/v1/users/nobody/password-reset", headers: admin, status: 404, code: "user_not_found"},
		{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"code": "made-up", "password": "a brand new passphrase"}, status: 400, code: "reset_code_invalid"},
	})
	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/users/" + traineeID + "/password-reset", headers: admin, status: 201})
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/password-reset", body: map[string]string{"code": r.body["code"].(string), "password": "a brand new passphrase"}, status: 204})
	ct.run(t, rg, exchange{method: "DELETE", path: "/api/v1/invites/" + r.body["id"].(string), headers: admin, status: 409, code: "invite_used"})
	list := ct.run(t, rg, exchange{method: "GET", path: "/api/v1/invites", headers: admin, status: 200})
	pending := list.body["invites"].([]any)[1].(map[string]any)["id"].(string) // newest first: the reset, then an invite
	ct.run(t, rg, exchange{method: "DELETE", path: "/api/v1/invites/" + pending, headers: staff, status: 200})
}
