package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// The admin's user list: search, role and disabling with its rules, and
// password resets that end the person's sessions.
func TestAdminChangesUsersAndResetsPasswords(t *testing.T) {
	rg := newRange(t, withLoginLimit(100)) // the refused codes and passwords below count as failures
	admin := rg.setupAdmin()
	adminID := rg.userID("admin@range.test")
	alice, aliceRefresh := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teach@range.test", accounts.RoleInstructor)
	aliceID := rg.userID("alice@range.test")

	rg.check(t, []apiCase{
		{name: "search by email", method: "GET", url: "/api/v1/users?q=ALICE", token: admin, status: 200, has: []string{`"total":1`, "alice@range.test"}, hasNot: []string{"teach@"}},
		{name: "a page", method: "GET", url: "/api/v1/users?limit=1&offset=1", token: admin, status: 200, has: []string{`"total":3`}},
		{name: "a search too long", method: "GET", url: "/api/v1/users?q=" + strings.Repeat("a", 300), token: admin, status: 400, code: "search_too_long"},
		{name: "instructors may not list", method: "GET", url: "/api/v1/users", token: teacher, status: 403, code: "forbidden"},
		{name: "instructors may not change", method: "PATCH", url: "/api/v1/users/" + aliceID, body: map[string]any{"role": "admin"}, token: teacher, status: 403, code: "forbidden"},
		{name: "nothing to change", method: "PATCH", url: "/api/v1/users/" + aliceID, body: map[string]any{}, token: admin, status: 400, code: "change_required"},
		{name: "an unknown role", method: "PATCH", url: "/api/v1/users/" + aliceID, body: map[string]any{"role": "root"}, token: admin, status: 400, code: "role_invalid"},
		{name: "an unknown field", method: "PATCH", url: "/api/v1/users/" + aliceID, body: map[string]any{"email": "x@y.z"}, token: admin, status: 400, code: "field_unknown"},
		{name: "an unknown account", method: "PATCH", url: "/api/v1/users/nobody", body: map[string]any{"disabled": true}, token: admin, status: 404, code: "user_not_found"},
		{name: "demoting oneself", method: "PATCH", url: "/api/v1/users/" + adminID, body: map[string]any{"role": "trainee"}, token: admin, status: 409, code: "self_change_forbidden"},
		{name: "disabling oneself", method: "PATCH", url: "/api/v1/users/" + adminID, body: map[string]any{"disabled": true}, token: admin, status: 409, code: "self_change_forbidden"},
		{name: "a promotion", method: "PATCH", url: "/api/v1/users/" + rg.userID("teach@range.test"), body: map[string]any{"role": "partner"}, token: admin, status: 200, has: []string{`"role":"partner"`}},
	})

	// Disabling ends the person's sessions; enabling lets them sign in again.
	expect(t, rg.call("PATCH", "/api/v1/users/"+aliceID, map[string]any{"disabled": true}, bearer(admin)...), 200, "")
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(aliceRefresh, "Origin", publicURL)...), 401, "session_invalid")
	login := map[string]string{"email": "alice@range.test", "password": "long enough password"}
	expect(t, rg.call("POST", "/api/v1/auth/login", login), 403, "account_disabled")
	r := rg.call("PATCH", "/api/v1/users/"+aliceID, map[string]any{"disabled": false}, bearer(admin)...)
	expect(t, r, 200, "")
	if r.body["disabled"] != false {
		t.Fatalf("enabled: %s", r.raw)
	}
	expect(t, rg.call("POST", "/api/v1/auth/login", login), 200, "")

	// A password reset: single use, and the old password and sessions go.
	expect(t, rg.call("POST", "/api/v1/users/"+aliceID+"/password-reset", nil, bearer(teacher)...), 403, "forbidden")
	expect(t, rg.call("POST", "/api/v1/users/nobody/password-reset", nil, bearer(admin)...), 404, "user_not_found")
	r = rg.call("POST", "/api/v1/users/"+aliceID+"/password-reset", nil, bearer(admin)...)
	expect(t, r, 201, "")
	code := r.body["code"].(string)
	if !strings.HasPrefix(r.body["url"].(string), "/reset-password?code=") {
		t.Fatalf("reset: %s", r.raw)
	}
	_, refresh := rg.userWithRoleSignIn("alice@range.test")
	rg.check(t, []apiCase{
		{name: "a short password", method: "POST", url: "/api/v1/auth/password-reset", body: map[string]string{"code": code, "password": "short"}, status: 400, code: "password_too_short"},
		{name: "a made-up code", method: "POST", url: "/api/v1/auth/password-reset", body: map[string]string{"code": "made-up", "password": "a brand new passphrase"}, status: 400, code: "reset_code_invalid"},
		{name: "no code", method: "POST", url: "/api/v1/auth/password-reset", body: map[string]string{"password": "a brand new passphrase"}, status: 400, code: "reset_code_invalid"},
		{name: "a reset", method: "POST", url: "/api/v1/auth/password-reset", body: map[string]string{"code": code, "password": "a brand new passphrase"}, status: 204},
		{name: "the same reset again", method: "POST", url: "/api/v1/auth/password-reset", body: map[string]string{"code": code, "password": "a brand new passphrase"}, status: 400, code: "reset_code_invalid"},
		{name: "the old password", method: "POST", url: "/api/v1/auth/login", body: login, status: 401, code: "bad_credentials"},
		{name: "the new password", method: "POST", url: "/api/v1/auth/login", body: map[string]string{"email": "alice@range.test", "password": "a brand new passphrase"}, status: 200},
	})
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(refresh, "Origin", publicURL)...), 401, "session_invalid")
	_ = alice
}

// userWithRoleSignIn signs an existing account in with the usual password.
func (rg *range_) userWithRoleSignIn(email string) (string, *http.Cookie) {
	rg.t.Helper()
	r := rg.call("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "long enough password"})
	expect(rg.t, r, 200, "")
	return r.body["access_token"].(string), r.cookie("sakimori_refresh")
}

// Invites: listed without their codes, revocable, and made in bulk.
func TestInvitesListedRevokedAndInBulk(t *testing.T) {
	rg := newRange(t)
	admin := rg.setupAdmin()
	teacher, _ := rg.userWithRole("teach@range.test", accounts.RoleInstructor)
	trainee, _ := rg.userWithRole("t@range.test", accounts.RoleTrainee)

	bulk := []map[string]any{{"email": "a@range.test"}, {"email": "b@range.test", "valid_hours": 48}}
	r := rg.call("POST", "/api/v1/invites", bulk, bearer(teacher)...)
	expect(t, r, 201, "")
	made := r.body["invites"].([]any)
	if len(made) != 2 {
		t.Fatalf("bulk: %s", r.raw)
	}
	first := made[0].(map[string]any)
	code := first["code"].(string)
	staff := rg.call("POST", "/api/v1/invites", map[string]any{"role": "instructor"}, bearer(admin)...)

	rg.check(t, []apiCase{
		{name: "a bad entry refuses the batch", method: "POST", url: "/api/v1/invites", body: []map[string]any{{"email": "c@range.test"}, {"email": "nope"}}, token: teacher, status: 400, code: "email_invalid"},
		{name: "an empty batch", method: "POST", url: "/api/v1/invites", body: []map[string]any{}, token: teacher, status: 400, code: "invites_required"},
		{name: "an unknown field in a batch", method: "POST", url: "/api/v1/invites", body: []map[string]any{{"mail": "c@range.test"}}, token: teacher, status: 400, code: "field_unknown"},
		{name: "staff roles in a batch from an instructor", method: "POST", url: "/api/v1/invites", body: []map[string]any{{"role": "admin"}}, token: teacher, status: 403, code: "invite_role_forbidden"},
		{name: "trainees may not list", method: "GET", url: "/api/v1/invites", token: trainee, status: 403, code: "forbidden"},
		{name: "instructors see trainee invites, never codes", method: "GET", url: "/api/v1/invites", token: teacher, status: 200, has: []string{"a@range.test", "b@range.test", `"status":"pending"`}, hasNot: []string{code, `"role":"instructor"`}},
		{name: "admins see all", method: "GET", url: "/api/v1/invites", token: admin, status: 200, has: []string{`"role":"instructor"`}},
		{name: "an instructor cannot revoke a staff invite", method: "DELETE", url: "/api/v1/invites/" + staff.body["id"].(string), token: teacher, status: 403, code: "invite_role_forbidden"},
		{name: "an unknown invite", method: "DELETE", url: "/api/v1/invites/nope", token: teacher, status: 404, code: "invite_not_found"},
		{name: "a revocation", method: "DELETE", url: "/api/v1/invites/" + first["id"].(string), token: teacher, status: 200, has: []string{`"status":"revoked"`}},
		{name: "a revoked invite registers nobody", method: "POST", url: "/api/v1/auth/register", body: map[string]string{"email": "a@range.test", "password": "long enough password", "invite_code": code}, status: 400, code: "invite_invalid"},
	})
	second := made[1].(map[string]any)
	expect(t, rg.call("POST", "/api/v1/auth/register", map[string]string{"email": "b@range.test", "password": "long enough password", "invite_code": second["code"].(string)}), 201, "")
	expect(t, rg.call("DELETE", "/api/v1/invites/"+second["id"].(string), nil, bearer(teacher)...), 409, "invite_used")
}
