package server_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

func TestInviteOnlyRegistration(t *testing.T) {
	rg := newRange(t)
	newcomer := map[string]string{"email": "new@range.test", "password": "long enough password"}
	expect(t, rg.call("POST", "/api/v1/auth/register", newcomer), 400, "invite_required")

	instructor, _ := rg.userWithRole("teach@range.test", accounts.RoleInstructor)
	r := rg.call("POST", "/api/v1/invites", map[string]any{"valid_hours": 24}, bearer(instructor)...)
	expect(t, r, 201, "")
	code := r.body["code"].(string)
	if r.body["role"] != "trainee" {
		t.Fatalf("default invite role = %v", r.body["role"])
	}

	newcomer["invite_code"] = "made-up"
	expect(t, rg.call("POST", "/api/v1/auth/register", newcomer), 400, "invite_invalid")

	// An email already taken must not burn the invite.
	taken := map[string]string{"email": "teach@range.test", "password": "long enough password", "invite_code": code}
	expect(t, rg.call("POST", "/api/v1/auth/register", taken), 400, "email_taken")

	newcomer["invite_code"] = code
	r = rg.call("POST", "/api/v1/auth/register", newcomer)
	expect(t, r, 201, "")
	if r.body["user"].(map[string]any)["role"] != "trainee" {
		t.Fatalf("registered as %s", r.raw)
	}
	newcomer["email"] = "another@range.test"
	expect(t, rg.call("POST", "/api/v1/auth/register", newcomer), 400, "invite_invalid")
}

func TestInvitePermissions(t *testing.T) {
	rg := newRange(t)
	trainee, _ := rg.userWithRole("t@range.test", accounts.RoleTrainee)
	instructor, _ := rg.userWithRole("i@range.test", accounts.RoleInstructor)
	admin := rg.setupAdmin()

	expect(t, rg.call("POST", "/api/v1/invites", map[string]any{}, bearer(trainee)...), 403, "forbidden")
	expect(t, rg.call("POST", "/api/v1/invites", map[string]any{"role": "admin"}, bearer(instructor)...), 403, "invite_role_forbidden")
	expect(t, rg.call("POST", "/api/v1/invites", map[string]any{"role": "wizard"}, bearer(admin)...), 400, "role_invalid")

	r := rg.call("POST", "/api/v1/invites", map[string]any{"role": "partner", "email": "uni@range.test"}, bearer(admin)...)
	expect(t, r, 201, "")
	wrongPerson := map[string]string{"email": "other@range.test", "password": "long enough password", "invite_code": r.body["code"].(string)}
	expect(t, rg.call("POST", "/api/v1/auth/register", wrongPerson), 400, "invite_invalid")
	wrongPerson["email"] = "uni@range.test"
	r = rg.call("POST", "/api/v1/auth/register", wrongPerson)
	expect(t, r, 201, "")
	if r.body["user"].(map[string]any)["role"] != "partner" {
		t.Fatalf("registered as %s", r.raw)
	}
}

func TestOpenRegistration(t *testing.T) {
	rg := newRange(t, withOpenRegistration)
	r := rg.call("POST", "/api/v1/auth/register", map[string]string{"email": "me@range.test", "password": "long enough password", "display_name": "  Me  "})
	expect(t, r, 201, "")
	u := r.body["user"].(map[string]any)
	if u["role"] != "trainee" || u["display_name"] != "Me" {
		t.Fatalf("registered as %s", r.raw)
	}
	expect(t, rg.call("POST", "/api/v1/auth/register", map[string]string{"email": "ME@range.test", "password": "long enough password"}), 400, "email_taken")
}

func TestAdminManagesUsers(t *testing.T) {
	rg := newRange(t)
	admin := rg.setupAdmin()
	trainee, _ := rg.userWithRole("t@range.test", accounts.RoleTrainee)
	instructor, _ := rg.userWithRole("i@range.test", accounts.RoleInstructor)

	expect(t, rg.call("GET", "/api/v1/users", nil, bearer(trainee)...), 403, "forbidden")
	expect(t, rg.call("GET", "/api/v1/users", nil, bearer(instructor)...), 403, "forbidden")
	r := rg.call("POST", "/api/v1/users", map[string]string{"email": "p@range.test", "password": "long enough password", "role": "partner"}, bearer(admin)...)
	expect(t, r, 201, "")
	r = rg.call("GET", "/api/v1/users?limit=2", nil, bearer(admin)...)
	expect(t, r, 200, "")
	if r.body["total"] != float64(4) || len(r.body["users"].([]any)) != 2 {
		t.Fatalf("users = %s", r.raw)
	}
	for _, u := range r.body["users"].([]any) {
		if _, leaked := u.(map[string]any)["password_hash"]; leaked {
			t.Fatal("password hash in the user list")
		}
	}
}

func TestRegistrationRefusesImpersonatingNamesAndCommonPasswords(t *testing.T) {
	rg := newRange(t, withOpenRegistration, withLoginLimit(1000))
	register := func(email, name, password string) reply {
		return rg.call("POST", "/api/v1/auth/register", map[string]string{"email": email, "display_name": name, "password": password})
	}
	r := register("alice@range.test", "Alice A", "long enough password")
	expect(t, r, 201, "")
	for _, tc := range []struct {
		name, displayName, password string
		code, field                 string
	}{
		{"zero-width space", "Alice A\u200b", "long enough password", "display_name_invalid", "display_name"},
		{"right-to-left override", "\u202eA ecilA", "long enough password", "display_name_invalid", "display_name"},
		{"C1 control", "Alice\u0085", "long enough password", "display_name_invalid", "display_name"},
		{"line separator", "Alice\u2028A", "long enough password", "display_name_invalid", "display_name"},
		{"byte order mark", "\ufeffAlice A", "long enough password", "display_name_invalid", "display_name"},
		{"a trailing next line", "Alice A\u0085", "long enough password", "display_name_invalid", "display_name"},
		{"the same name", "Alice A", "long enough password", "display_name_taken", "display_name"},
		{"another case and spacing", " alice   a ", "long enough password", "display_name_taken", "display_name"},
		{"a Cyrillic A", "\u0410lice A", "long enough password", "display_name_taken", "display_name"},
		{"a capital I for l", "AIice A", "long enough password", "display_name_taken", "display_name"},
		{"a common password", "Mallory", "QAZWSXEDCRFV", "password_common", "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := register(strings.ReplaceAll(tc.name, " ", "-")+"@range.test", tc.displayName, tc.password)
			expect(t, r, 400, tc.code)
			if field := r.body["error"].(map[string]any)["field"]; field != tc.field {
				t.Fatalf("field %v, want %s; body %s", field, tc.field, r.raw)
			}
		})
	}
	r = register("bob@range.test", "Ａlice  B", "long enough password")
	expect(t, r, 201, "")
	if name := r.body["user"].(map[string]any)["display_name"]; name != "Alice B" {
		t.Fatalf("stored display name %q, want the enforced %q", name, "Alice B")
	}
}
