package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
	"github.com/sakimori/sakimori/server"
)

// exchange is one request and the status (and error code) it must get.
type exchange struct {
	method, path string
	body         any // a string is sent as is, anything else as JSON
	headers      []string
	status       int
	code         string
}

// run sends x, checks its status and code, and holds the exchange to the
// contract.
func (ct contract) run(t *testing.T, rg *range_, x exchange) reply {
	t.Helper()
	r := rg.call(x.method, x.path, x.body, x.headers...)
	if r.status != x.status || (x.code != "" && r.errorCode() != x.code) {
		t.Errorf("%s %s: %d %q, want %d %q; body %.300s", x.method, x.path, r.status, r.errorCode(), x.status, x.code, r.raw)
	}
	var body []byte
	switch b := x.body.(type) {
	case nil:
	case string:
		body = []byte(b)
	default:
		body, _ = json.Marshal(b)
	}
	ct.holds(t, x.method, x.path, body, r)
	return r
}

func (ct contract) runAll(t *testing.T, rg *range_, xs []exchange) {
	t.Helper()
	for _, x := range xs {
		ct.run(t, rg, x)
	}
}

var password = map[string]string{"email": "trainee@range.test", "password": "long enough password"}

// Setup, sign-in and accounts answer within the contract, right or wrong.
func TestAccountRepliesKeepToTheContract(t *testing.T) {
	rg := newRange(t, withLoginLimit(20))
	ct := contractOf(t, rg)
	setup := func(code, email, pw string) map[string]string {
		return map[string]string{"setup_code": code, "email": email, "password": pw}
	}
	ct.runAll(t, rg, []exchange{
		{method: "GET", path: "/healthz", status: 200},
		{method: "GET", path: "/readyz", status: 200},
		{method: "GET", path: "/metrics", status: 200},
		{method: "GET", path: "/api/v1/openapi.json", status: 200},
		{method: "GET", path: "/api/v1/setup", status: 200},
		{method: "POST", path: "/api/v1/setup", body: setup("wrong", "admin@range.test", "correct horse battery"), status: 400, code: "setup_code_wrong"},
		{method: "POST", path: "/api/v1/setup", body: setup(rg.setupCode, "admin@range.test", "short"), status: 400, code: "password_too_short"},
	})
	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/setup", body: setup(rg.setupCode, "admin@range.test", "correct horse battery"), status: 201})
	admin := bearer(r.body["access_token"].(string))
	trainee, refresh := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	_, leaving := rg.userWithRole("leaving@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "trainee@range.test")
	user := func(email, role string) map[string]string {
		return map[string]string{"email": email, "password": "long enough password", "role": role}
	}

	ct.runAll(t, rg, []exchange{
		{method: "POST", path: "/api/v1/setup", body: setup(rg.setupCode, "again@range.test", "correct horse battery"), status: 409, code: "setup_done"},
		{method: "POST", path: "/api/v1/auth/login", body: password, status: 200},
		{method: "POST", path: "/api/v1/auth/login", body: "{", status: 400, code: "body_invalid"},
		{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "trainee@range.test", "admin": true}, status: 400, code: "field_unknown"},
		{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "trainee@range.test", "password": "not the password"}, status: 401, code: "bad_credentials"},
		{method: "POST", path: "/api/v1/auth/register", body: map[string]string{"email": "new@range.test", "password": "long enough password"}, status: 400, code: "invite_required"},
		{method: "POST", path: "/api/v1/auth/refresh", headers: withCookie(refresh), status: 200},
		{method: "POST", path: "/api/v1/auth/refresh", status: 401, code: "session_invalid"},
		{method: "POST", path: "/api/v1/auth/refresh", headers: withCookie(refresh, "Origin", "https://evil.test"), status: 403, code: "origin_forbidden"},
		{method: "POST", path: "/api/v1/auth/logout", headers: withCookie(leaving), status: 204},
		{method: "GET", path: "/api/v1/me", headers: bearer(trainee), status: 200},
		{method: "GET", path: "/api/v1/me", status: 401, code: "token_missing"},
		{method: "GET", path: "/api/v1/me", headers: bearer("not.a.token"), status: 401, code: "token_invalid"},
		{method: "GET", path: "/api/v1/users?limit=10", headers: admin, status: 200},
		{method: "GET", path: "/api/v1/users", headers: bearer(trainee), status: 403, code: "forbidden"},
		{method: "POST", path: "/api/v1/users", headers: admin, body: user("made@range.test", "partner"), status: 201},
		{method: "POST", path: "/api/v1/users", headers: admin, body: user("made@range.test", "partner"), status: 400, code: "email_taken"},
		{method: "POST", path: "/api/v1/users", headers: admin, body: user("other@range.test", "root"), status: 400, code: "role_invalid"},
		{method: "POST", path: "/api/v1/invites", headers: bearer(teacher), body: map[string]any{"email": "new@range.test", "valid_hours": 24}, status: 201},
		{method: "POST", path: "/api/v1/invites", headers: bearer(teacher), body: map[string]string{"role": "admin"}, status: 403, code: "invite_role_forbidden"},
		{method: "POST", path: "/api/v1/invites", headers: bearer(trainee), body: map[string]string{}, status: 403, code: "forbidden"},
		{method: "GET", path: "/api/v1/audit?limit=1", headers: admin, status: 200},
		{method: "GET", path: "/api/v1/audit?action=invite.create&since=2026-01-01T00:00:00Z", headers: admin, status: 200},
		{method: "GET", path: "/api/v1/audit?since=today", headers: admin, status: 400, code: "audit_filter_invalid"},
		{method: "GET", path: "/api/v1/audit?cursor=abc", headers: admin, status: 400, code: "audit_cursor_invalid"},
		{method: "GET", path: "/api/v1/audit", headers: bearer(teacher), status: 403, code: "forbidden"},
		{method: "GET", path: "/api/v1/audit/export", headers: admin, status: 200},
		{method: "GET", path: "/api/v1/audit/export?format=csv", headers: admin, status: 200},
		{method: "GET", path: "/api/v1/audit/export?format=pdf", headers: admin, status: 400, code: "audit_format_invalid"},
	})

	// Refused sign-ins, until the address is held back.
	for range 20 {
		rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "trainee@range.test", "password": "not the password"})
	}
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/login", body: password, status: 429, code: "too_many_attempts"})
}

// The catalogue, scores, and every lab endpoint asked about a lab that
// does not exist, answer within the contract.
func TestCatalogueAndScoreRepliesKeepToTheContract(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	ct := contractOf(t, rg)
	trainee, _ := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "trainee@range.test")
	as, staff := bearer(trainee), bearer(teacher)
	none := "/api/v1/labs/laaaaaaaaaaaa"

	ct.runAll(t, rg, []exchange{
		{method: "GET", path: "/api/v1/scenarios", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scenarios/orientation", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scenarios/atlantis", headers: as, status: 404, code: "scenario_not_found"},
		{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{}, status: 400, code: "scenario_required"},
		{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{"scenario": "atlantis"}, status: 404, code: "scenario_not_found"},
		{method: "GET", path: "/api/v1/labs", headers: as, status: 200},
		{method: "GET", path: "/api/v1/labs/not-a-lab", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: none, headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: none, status: 401, code: "token_missing"},
		{method: "DELETE", path: none, headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/extend", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/reset", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: none + "/events", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/terminal", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: none + "/terminal/ws?ticket=nothing", status: 400, code: "websocket_required"},
		{method: "GET", path: none + "/recordings", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: "/api/v1/recordings/raaaaaaaaaaaa", headers: as, status: 404, code: "recording_not_found"},
		{method: "POST", path: none + "/web", headers: as, body: map[string]any{"host": "web", "port": 8080}, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/web", headers: as, body: map[string]any{"host": "web", "port": "8080"}, status: 400, code: "field_type_invalid"},
		{method: "GET", path: "/lab-web/nothing/", status: 404, code: "web_link_not_found"},
		{method: "POST", path: "/lab-web/nothing/a/form", body: map[string]string{}, status: 404, code: "web_link_not_found"},
		{method: "GET", path: none + "/objectives", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/objectives/first-flag", headers: as, body: map[string]string{"answer": "FLAG{x}"}, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/objectives/first-flag", headers: as, body: map[string]string{"answer": ""}, status: 400, code: "answer_required"},
		{method: "POST", path: none + "/objectives/field-notes/check", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/hints/where-is-web", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: none + "/objectives/first-flag/walkthrough", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: "/api/v1/me/score", headers: as, status: 200},
		{method: "GET", path: "/api/v1/me/progress", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scoreboard?limit=10", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scoring/suspicions", headers: staff, status: 200},
		{method: "GET", path: "/api/v1/scoring/suspicions", headers: as, status: 403, code: "forbidden"},
		{method: "GET", path: "/api/v1/scoring/trainees/nobody", headers: staff, status: 404, code: "trainee_not_found"},
	})
}

// A lab, from launch to stop, answers within the contract at each step.
// The runtime is the fake driver: a check runs and fails, and a check the
// runtime cannot run is refused; both replies are held to the contract.
func TestLabRepliesKeepToTheContract(t *testing.T) {
	d := fakeLabs()
	rg := newRangeWithLabs(t, d)
	ct := contractOf(t, rg)
	trainee, _ := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "trainee@range.test")
	as, staff := bearer(trainee), bearer(teacher)

	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{"scenario": "orientation"}, status: 202})
	lab := "/api/v1/labs/" + r.body["id"].(string)
	ct.runAll(t, rg, []exchange{
		{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{"scenario": "orientation"}, status: 409, code: "quota_exceeded"},
		{method: "POST", path: lab + "/terminal", headers: as, status: 409, code: "lab_not_running"},
	})
	waitUntil(t, func() bool { return rg.call("GET", lab, nil, as...).body["state"] == "running" })

	ct.runAll(t, rg, []exchange{
		{method: "GET", path: lab, headers: as, status: 200},
		{method: "GET", path: lab + "/events", headers: as, status: 200},
		{method: "GET", path: lab + "/health", headers: as, status: 200},
		{method: "GET", path: "/api/v1/labs?all=1", headers: staff, status: 200},
		{method: "GET", path: "/api/v1/labs?active=1", headers: as, status: 200},
		{method: "POST", path: lab + "/terminal", headers: as, status: 200},
		{method: "POST", path: lab + "/terminal?host=workstation", headers: as, status: 200},
		{method: "POST", path: lab + "/terminal?host=web", headers: as, status: 404, code: "terminal_host_not_found"},
		{method: "GET", path: lab + "/recordings", headers: as, status: 200},
		{method: "GET", path: lab + "/objectives", headers: as, status: 200},
		{method: "POST", path: lab + "/objectives/first-flag", headers: as, body: map[string]string{"answer": "FLAG{not-this-one}"}, status: 200},
		{method: "POST", path: lab + "/objectives/atlantis", headers: as, body: map[string]string{"answer": "FLAG{x}"}, status: 404, code: "objective_not_found"},
		{method: "POST", path: lab + "/objectives/field-notes/check", headers: as, status: 200},
		{method: "POST", path: lab + "/hints/where-is-web", headers: as, status: 200},
		{method: "POST", path: lab + "/hints/atlantis", headers: as, status: 404, code: "hint_not_found"},
		{method: "POST", path: lab + "/objectives/first-flag/walkthrough", headers: as, status: 200},
		{method: "GET", path: "/api/v1/me/progress", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scoring/trainees/" + rg.userID("trainee@range.test"), headers: staff, status: 200},
		{method: "POST", path: lab + "/web", headers: as, body: map[string]any{"host": "web", "port": 22}, status: 404, code: "web_target_not_found"},
		{method: "POST", path: lab + "/extend", headers: as, status: 200},
		{method: "POST", path: lab + "/extend", headers: as, status: 409, code: "extend_limit"},
	})

	d.Fail(drivertest.OpExec, driver.ErrUnavailable)
	ct.run(t, rg, exchange{method: "POST", path: lab + "/objectives/field-notes/check", headers: as, status: 503, code: "check_unavailable"})
	d.Fail(drivertest.OpExec, nil)

	id := strings.TrimPrefix(lab, "/api/v1/labs/")
	ct.runAll(t, rg, []exchange{
		{method: "POST", path: lab + "/objectives/first-flag", headers: as, body: map[string]string{"answer": flagIn(t, d, id)}, status: 200},
		{method: "POST", path: lab + "/hints/how-to-fetch", headers: as, status: 409, code: "objective_solved"},
	})

	r = ct.run(t, rg, exchange{method: "POST", path: lab + "/web", headers: as, body: map[string]any{"host": "web", "port": 8080}, status: 201})
	link := r.body["url"].(string)
	ct.runAll(t, rg, []exchange{
		{method: "GET", path: strings.TrimSuffix(link, "/"), status: 302},
		{method: "DELETE", path: lab, headers: as, status: 200},
		{method: "POST", path: lab + "/reset", headers: as, status: 409, code: "lab_not_running"},
		{method: "GET", path: link + "status", status: 409, code: "lab_not_running"},
	})
}

// A range whose checks fail answers /readyz within the contract too.
func TestUnreadyRangeKeepsToTheContract(t *testing.T) {
	down := server.Check{Name: "database", Check: func(context.Context) error { return errors.New("no answer") }}
	rg := newRange(t, withChecks(down))
	ct := contractOf(t, rg)
	ct.run(t, rg, exchange{method: "GET", path: "/readyz", status: 503})
}

func waitUntil(t *testing.T, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// userID is the id of the account with this email.
func (rg *range_) userID(email string) string {
	rg.t.Helper()
	list, _, err := rg.accounts.Users(context.Background(), accounts.UserQuery{Limit: 200})
	if err != nil {
		rg.t.Fatal(err)
	}
	for _, u := range list {
		if u.Email == email {
			return u.ID
		}
	}
	rg.t.Fatalf("no user %s", email)
	return ""
}
