package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/totptest"
)

// enrolTOTP sets up an authenticator app through the API and returns its
// secret; the confirming code is the one of clk's time step.
func enrolTOTP(t *testing.T, ct contract, rg *range_, token string, at time.Time) string {
	t.Helper()
	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/me/mfa/totp", headers: bearer(token), status: 201})
	secret, _ := r.body["secret"].(string)
	if uri, _ := r.body["otpauth_uri"].(string); !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret="+secret) {
		t.Fatalf("enrolment: %s", r.raw)
	}
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/me/mfa/totp/confirm", body: map[string]string{"code": "12 34"},
		headers: bearer(token), status: 400, code: "totp_code_invalid"})
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/me/mfa/totp/confirm", body: map[string]string{"code": code(t, secret, at)},
		headers: bearer(token), status: 200})
	return secret
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totptest.SixDigits(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func login(email, pw string) map[string]string {
	return map[string]string{"email": email, "password": pw}
}

// docs/security.md case 15: a right password gives only a challenge; a code
// finishes it once.
func TestSignInWithAnAuthenticatorApp(t *testing.T) {
	clk := &movableClock{t: time.Unix(1_800_000_000, 0)}
	rg := newRange(t, withAccountsClock(clk), withLoginLimit(50))
	ct := contractOf(t, rg)
	admin := rg.setupAdmin()
	secret := enrolTOTP(t, ct, rg, admin, clk.now())

	r := ct.run(t, rg, exchange{method: "GET", path: "/api/v1/me/mfa", headers: bearer(admin), status: 200})
	if r.body["totp"] != true || strings.Contains(r.raw, secret) {
		t.Fatalf("status after enrolment: %s", r.raw)
	}
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/me/mfa/totp", headers: bearer(admin), status: 409, code: "totp_already_set"})

	// The password alone now gives no tokens, only a challenge.
	r = ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/login", body: login("admin@range.test", "correct horse battery"), status: 200})
	challenge, _ := r.body["challenge"].(string)
	if r.body["mfa_required"] != true || challenge == "" || r.body["access_token"] != nil || r.cookie("sakimori_refresh") != nil {
		t.Fatalf("login with TOTP set up: %s", r.raw)
	}
	finish := func(c string, status int, errCode string) reply {
		return ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/mfa/totp",
			body: map[string]string{"challenge": challenge, "code": c}, status: status, code: errCode})
	}
	wrong := "000000"
	if wrong == code(t, secret, clk.now()) {
		wrong = "999999"
	}
	finish(wrong, 401, "mfa_code_wrong")
	finish(code(t, secret, clk.now()), 401, "mfa_code_used") // the code that confirmed enrolment
	finish("abc", 400, "totp_code_invalid")
	r = finish(code(t, secret, clk.now().Add(30*time.Second)), 200, "")
	if r.body["access_token"] == nil || r.cookie("sakimori_refresh") == nil {
		t.Fatalf("signed in without a session: %s", r.raw)
	}
	finish(code(t, secret, clk.now().Add(30*time.Second)), 401, "mfa_challenge_invalid")

	// A new sign-in cannot replay the code just used either.
	r = rg.call("POST", "/api/v1/auth/login", login("admin@range.test", "correct horse battery"))
	challenge, _ = r.body["challenge"].(string)
	finish(code(t, secret, clk.now().Add(30*time.Second)), 401, "mfa_code_used")

	// The challenge lasts five minutes.
	clk.add(5*time.Minute + time.Second)
	finish(code(t, secret, clk.now()), 401, "mfa_challenge_invalid")
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/mfa/totp", body: map[string]string{"challenge": "made-up", "code": "123456"},
		status: 401, code: "mfa_challenge_invalid"})
}

func TestRemovingAnAuthenticatorApp(t *testing.T) {
	clk := &movableClock{t: time.Unix(1_800_000_000, 0)}
	rg := newRange(t, withAccountsClock(clk), withLoginLimit(50))
	ct := contractOf(t, rg)
	admin := rg.setupAdmin()
	secret := enrolTOTP(t, ct, rg, admin, clk.now())
	remove := func(body any, status int, errCode string) {
		ct.run(t, rg, exchange{method: "DELETE", path: "/api/v1/me/mfa/totp", body: body, headers: bearer(admin), status: status, code: errCode})
	}
	remove(map[string]string{}, 400, "proof_required")
	remove(map[string]string{"password": "not it at all"}, 400, "password_wrong")
	remove(map[string]string{"code": code(t, secret, clk.now())}, 400, "totp_code_used")
	remove(map[string]string{"code": code(t, secret, clk.now().Add(30*time.Second))}, 204, "")
	remove(map[string]string{"password": "correct horse battery"}, 409, "totp_not_set")

	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/login", body: login("admin@range.test", "correct horse battery"), status: 200})
	if r.body["access_token"] == nil {
		t.Fatalf("the password alone is enough again: %s", r.raw)
	}
}

func TestMFAPolicySendsStaffToEnrolment(t *testing.T) {
	clk := &movableClock{t: time.Unix(1_800_000_000, 0)}
	rg := newRange(t, withAccountsClock(clk), withLoginLimit(50))
	ct := contractOf(t, rg)
	admin := rg.setupAdmin()
	trainee, _ := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	_, _ = rg.userWithRole("ines@range.test", accounts.RoleInstructor)

	ct.runAll(t, rg, []exchange{
		{method: "GET", path: "/api/v1/admin/mfa-policy", headers: bearer(trainee), status: 403, code: "forbidden"},
		{method: "PUT", path: "/api/v1/admin/mfa-policy", body: map[string]any{"required_roles": []string{"admin"}}, headers: bearer(trainee), status: 403, code: "forbidden"},
		{method: "PUT", path: "/api/v1/admin/mfa-policy", body: map[string]any{"required_roles": []string{"wizard"}}, headers: bearer(admin), status: 400, code: "role_invalid"},
		{method: "PUT", path: "/api/v1/admin/mfa-policy", body: map[string]any{"required_roles": "instructor"}, headers: bearer(admin), status: 400, code: "field_type_invalid"},
	})
	r := ct.run(t, rg, exchange{method: "PUT", path: "/api/v1/admin/mfa-policy",
		body: map[string]any{"required_roles": []string{"instructor", "partner"}}, headers: bearer(admin), status: 200})
	if !strings.Contains(r.raw, `"required_roles":["instructor","partner"]`) {
		t.Fatalf("policy: %s", r.raw)
	}
	// The change is in the audit log, once (the refused ones are not).
	if e := onlyEntry(t, rg, admin, "mfa_policy.change"); e["detail"].(map[string]any)["required_roles"] != "instructor,partner" {
		t.Fatalf("audit entry: %v", e)
	}

	// A trainee is not touched by it.
	r = ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/login", body: login("trainee@range.test", "long enough password"), status: 200})
	if r.body["access_token"] == nil {
		t.Fatalf("trainee: %s", r.raw)
	}

	// An instructor without a second factor may only set one up.
	r = ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/login", body: login("ines@range.test", "long enough password"), status: 200})
	enrolment, _ := r.body["enrolment_token"].(string)
	if r.body["mfa_enrolment_required"] != true || enrolment == "" || r.body["access_token"] != nil || r.cookie("sakimori_refresh") != nil {
		t.Fatalf("instructor under the policy: %s", r.raw)
	}
	ct.run(t, rg, exchange{method: "GET", path: "/api/v1/me", headers: bearer(enrolment), status: 403, code: "mfa_enrolment_required"})
	// Every signed-in endpoint refuses it (the contract says so once, in
	// its description).
	expect(t, rg.call("POST", "/api/v1/invites", map[string]string{}, bearer(enrolment)...), 403, "mfa_enrolment_required")
	r = ct.run(t, rg, exchange{method: "GET", path: "/api/v1/me/mfa", headers: bearer(enrolment), status: 200})
	if r.body["required"] != true {
		t.Fatalf("status: %s", r.raw)
	}
	secret := enrolTOTP(t, ct, rg, enrolment, clk.now())

	// Now they sign in with it, and cannot remove their only factor.
	r = ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/login", body: login("ines@range.test", "long enough password"), status: 200})
	if r.body["mfa_required"] != true {
		t.Fatalf("instructor after enrolment: %s", r.raw)
	}
	r = ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/mfa/totp", status: 200,
		body: map[string]string{"challenge": r.body["challenge"].(string), "code": code(t, secret, clk.now().Add(30*time.Second))}})
	full := r.body["access_token"].(string)
	ct.run(t, rg, exchange{method: "DELETE", path: "/api/v1/me/mfa/totp", body: map[string]string{"password": "long enough password"},
		headers: bearer(full), status: 409, code: "mfa_required_by_role"})
	ct.run(t, rg, exchange{method: "GET", path: "/api/v1/admin/mfa-policy", headers: bearer(admin), status: 200})
}

// Passkey ceremonies are whole only in a browser (the Chromium test);
// here, what the server says and refuses on its own.
func TestPasskeyCeremoniesAreBoundAndUsedOnce(t *testing.T) {
	rg := newRange(t, withLoginLimit(50))
	ct := contractOf(t, rg)
	admin := rg.setupAdmin()

	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/me/mfa/passkeys/begin", headers: bearer(admin), status: 200})
	ceremony, _ := r.body["ceremony"].(string)
	if ceremony == "" || !strings.Contains(r.raw, `"rp":{"name":"Sakimori","id":"range.test"}`) || !strings.Contains(r.raw, `"challenge":"`) {
		t.Fatalf("begin: %s", r.raw)
	}
	finish := func(body any, status int, errCode string) {
		ct.run(t, rg, exchange{method: "POST", path: "/api/v1/me/mfa/passkeys/finish", body: body, headers: bearer(admin), status: status, code: errCode})
	}
	finish(map[string]any{"ceremony": ceremony, "name": strings.Repeat("n", 61), "credential": map[string]string{}}, 400, "passkey_name_too_long")
	finish(map[string]any{"ceremony": ceremony, "credential": map[string]string{"id": "x"}}, 400, "passkey_invalid")
	finish(map[string]any{"ceremony": ceremony, "credential": map[string]string{"id": "x"}}, 400, "passkey_ceremony_invalid")
	finish(map[string]any{"ceremony": "made-up", "credential": map[string]string{}}, 400, "passkey_ceremony_invalid")

	// Another person cannot finish someone's ceremony.
	r = rg.call("POST", "/api/v1/me/mfa/passkeys/begin", nil, bearer(admin)...)
	trainee, _ := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/me/mfa/passkeys/finish", headers: bearer(trainee), status: 400, code: "passkey_ceremony_invalid",
		body: map[string]any{"ceremony": r.body["ceremony"], "credential": map[string]string{}}})

	ct.runAll(t, rg, []exchange{
		{method: "DELETE", path: "/api/v1/me/mfa/passkeys/nope", body: map[string]string{"password": "correct horse battery"}, headers: bearer(admin), status: 404, code: "passkey_not_found"},
		{method: "POST", path: "/api/v1/auth/mfa/passkey/begin", body: map[string]string{"challenge": "made-up"}, status: 401, code: "mfa_challenge_invalid"},
		{method: "POST", path: "/api/v1/auth/mfa/passkey/finish", body: map[string]any{"challenge": "made-up", "credential": map[string]string{}}, status: 401, code: "mfa_challenge_invalid"},
	})
}

func TestPasskeyOnlySignInCeremonies(t *testing.T) {
	rg := newRange(t, withLoginLimit(3))
	ct := contractOf(t, rg)
	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/passkey/begin", status: 200})
	ceremony, _ := r.body["ceremony"].(string)
	if ceremony == "" || !strings.Contains(r.raw, `"userVerification":"required"`) || strings.Contains(r.raw, "allowCredentials") {
		t.Fatalf("begin: %s", r.raw)
	}
	finish := func(status int, errCode string) {
		ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/passkey/finish", status: status, code: errCode,
			body: map[string]any{"ceremony": ceremony, "credential": map[string]string{"id": "x"}}})
	}
	finish(400, "passkey_invalid")
	finish(401, "mfa_challenge_invalid") // used once, even wrongly

	// Beginning needs no secret, so every begin counts, successes too.
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/passkey/begin", status: 200})
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/passkey/begin", status: 200})
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/passkey/begin", status: 429, code: "too_many_attempts"})
}

// An invite to a role that requires a second factor makes the account, but
// gives only an enrolment token, no session.
func TestRegisteringIntoARequiredRoleGivesOnlyEnrolment(t *testing.T) {
	rg := newRange(t, withLoginLimit(50))
	ct := contractOf(t, rg)
	admin := rg.setupAdmin()
	ct.run(t, rg, exchange{method: "PUT", path: "/api/v1/admin/mfa-policy",
		body: map[string]any{"required_roles": []string{"partner"}}, headers: bearer(admin), status: 200})
	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/invites", body: map[string]string{"role": "partner"}, headers: bearer(admin), status: 201})
	r = ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/register", status: 201, body: map[string]string{
		"email": "uni@partner.test", "password": "long enough password", "invite_code": r.body["code"].(string)}})
	if r.body["mfa_enrolment_required"] != true || r.body["enrolment_token"] == nil || r.cookie("sakimori_refresh") != nil {
		t.Fatalf("register into a required role: %s", r.raw)
	}
}

// A policy reaches sessions already open at their next refresh: one of a
// person who must now set up a second factor ends; one of a person who has
// one goes on.
func TestMFAPolicyEndsSessionsWithoutASecondFactor(t *testing.T) {
	clk := &movableClock{t: time.Unix(1_800_000_000, 0)}
	rg := newRange(t, withAccountsClock(clk), withLoginLimit(50))
	admin := rg.setupAdmin()
	_, without := rg.userWithRole("pat@partner.test", accounts.RolePartner)
	token, with := rg.userWithRole("ines@range.test", accounts.RoleInstructor)
	enrolTOTP(t, contractOf(t, rg), rg, token, clk.now())
	expect(t, rg.call("PUT", "/api/v1/admin/mfa-policy", map[string]any{"required_roles": []string{"partner", "instructor"}}, bearer(admin)...), 200, "")

	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(without)...), 401, "session_invalid")
	expect(t, rg.call("POST", "/api/v1/auth/refresh", nil, withCookie(with)...), 200, "")
}
