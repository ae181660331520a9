package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

// exchange is one request and the status it must get; its reply must fit
// the contract.
type exchange struct {
	method, path string
	body         any
	headers      []string
	status       int
	code         string
}

func (ct contract) run(t *testing.T, rg *range_, x exchange) reply {
	t.Helper()
	r := rg.call(x.method, x.path, x.body, x.headers...)
	if r.status != x.status || (x.code != "" && r.errorCode() != x.code) {
		t.Errorf("%s %s: %d %q, want %d %q; body %.300s", x.method, x.path, r.status, r.errorCode(), x.status, x.code, r.raw)
	}
	ct.holds(t, x.method, x.path, r)
	return r
}

// The handlers' replies, good and bad, keep to the contract: each status
// is one the operation lists, each body fits its schema, each error code
// is listed for its status.
func TestRepliesKeepToTheContract(t *testing.T) {
	rg := newRangeWithLabs(t, newStandIn(), withLoginLimit(20))
	ct := contractOf(t, rg)
	admin := []string{"Origin", publicURL} // replaced once there is an admin

	for _, x := range []exchange{
		{method: "GET", path: "/healthz", status: 200},
		{method: "GET", path: "/readyz", status: 200},
		{method: "GET", path: "/metrics", status: 200},
		{method: "GET", path: "/api/v1/openapi.json", status: 200},
		{method: "GET", path: "/api/v1/setup", status: 200},
		{method: "POST", path: "/api/v1/setup", body: map[string]string{"setup_code": "wrong", "email": "admin@range.test", "password": "correct horse battery"}, status: 400, code: "setup_code_wrong"},
		{method: "POST", path: "/api/v1/setup", body: map[string]string{"setup_code": rg.setupCode, "email": "admin@range.test", "password": "short"}, status: 400, code: "password_too_short"},
		{method: "POST", path: "/api/v1/setup", body: map[string]string{"setup_code": rg.setupCode, "email": "admin@range.test", "password": "correct horse battery"}, status: 201},
		{method: "POST", path: "/api/v1/setup", body: map[string]string{"setup_code": rg.setupCode, "email": "again@range.test", "password": "correct horse battery"}, status: 409, code: "setup_done"},
	} {
		r := ct.run(t, rg, x)
		if x.status == 201 {
			admin = bearer(r.body["access_token"].(string))
		}
	}

	trainee, refresh := rg.userWithRole("trainee@range.test", accounts.RoleTrainee)
	_, leaving := rg.userWithRole("leaving@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	as := bearer(trainee)
	staff := bearer(teacher)
	login := map[string]string{"email": "trainee@range.test", "password": "long enough password"}
	unknownLab := "/api/v1/labs/laaaaaaaaaaaa"

	for _, x := range []exchange{
		{method: "POST", path: "/api/v1/auth/login", body: login, status: 200},
		{method: "POST", path: "/api/v1/auth/login", body: "{", status: 400, code: "body_invalid"},
		{method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "trainee@range.test", "password": "long enough password", "admin": true}, status: 400, code: "field_unknown"},
		{method: "POST", path: "/api/v1/auth/register", body: map[string]string{"email": "new@range.test", "password": "long enough password"}, status: 400, code: "invite_required"},
		{method: "POST", path: "/api/v1/auth/refresh", headers: withCookie(refresh), status: 200},
		{method: "POST", path: "/api/v1/auth/refresh", status: 401, code: "session_invalid"},
		{method: "POST", path: "/api/v1/auth/refresh", headers: withCookie(refresh, "Origin", "https://evil.test"), status: 403, code: "origin_forbidden"},
		{method: "POST", path: "/api/v1/auth/logout", headers: withCookie(leaving), status: 204},
		{method: "GET", path: "/api/v1/me", headers: as, status: 200},
		{method: "GET", path: "/api/v1/me", status: 401, code: "token_missing"},
		{method: "GET", path: "/api/v1/me", headers: bearer("not.a.token"), status: 401, code: "token_invalid"},
		{method: "GET", path: "/api/v1/users", headers: admin, status: 200},
		{method: "GET", path: "/api/v1/users", headers: as, status: 403, code: "forbidden"},
		{method: "POST", path: "/api/v1/users", headers: admin, body: map[string]string{"email": "made@range.test", "password": "long enough password", "role": "partner"}, status: 201},
		{method: "POST", path: "/api/v1/users", headers: admin, body: map[string]string{"email": "made@range.test", "password": "long enough password", "role": "partner"}, status: 400, code: "email_taken"},
		{method: "POST", path: "/api/v1/users", headers: admin, body: map[string]string{"email": "other@range.test", "password": "long enough password", "role": "root"}, status: 400, code: "role_invalid"},
		{method: "POST", path: "/api/v1/invites", headers: staff, body: map[string]any{"email": "new@range.test", "valid_hours": 24}, status: 201},
		{method: "POST", path: "/api/v1/invites", headers: staff, body: map[string]string{"role": "admin"}, status: 403, code: "invite_role_forbidden"},
		{method: "POST", path: "/api/v1/invites", headers: as, body: map[string]string{}, status: 403, code: "forbidden"},

		{method: "GET", path: "/api/v1/scenarios", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scenarios/orientation", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scenarios/atlantis", headers: as, status: 404, code: "scenario_not_found"},
		{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{}, status: 400, code: "scenario_required"},
		{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{"scenario": "atlantis"}, status: 404, code: "scenario_not_found"},
		{method: "GET", path: "/api/v1/labs", headers: as, status: 200},
		{method: "GET", path: "/api/v1/labs/not-a-lab", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: unknownLab, headers: as, status: 404, code: "lab_not_found"},
		{method: "DELETE", path: unknownLab, headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/extend", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/reset", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: unknownLab + "/events", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/terminal", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: unknownLab + "/terminal/ws", status: 400, code: "websocket_required"},
		{method: "GET", path: unknownLab + "/recordings", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: "/api/v1/recordings/raaaaaaaaaaaa", headers: as, status: 404, code: "recording_not_found"},
		{method: "POST", path: unknownLab + "/web", headers: as, body: map[string]any{"host": "web", "port": 8080}, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/web", headers: as, body: map[string]any{"host": "web", "port": "8080"}, status: 400, code: "field_type_invalid"},
		{method: "GET", path: "/lab-web/nothing/", status: 404, code: "web_link_not_found"},
		{method: "POST", path: "/lab-web/nothing/login", body: map[string]string{}, status: 404, code: "web_link_not_found"},

		{method: "GET", path: unknownLab + "/objectives", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/objectives/first-flag", headers: as, body: map[string]string{"answer": "FLAG{x}"}, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/objectives/first-flag", headers: as, body: map[string]string{"answer": ""}, status: 400, code: "answer_required"},
		{method: "POST", path: unknownLab + "/objectives/field-notes/check", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/hints/where-is-web", headers: as, status: 404, code: "lab_not_found"},
		{method: "POST", path: unknownLab + "/objectives/first-flag/walkthrough", headers: as, status: 404, code: "lab_not_found"},
		{method: "GET", path: "/api/v1/me/score", headers: as, status: 200},
		{method: "GET", path: "/api/v1/me/progress", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scoreboard", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scoring/suspicions", headers: staff, status: 200},
		{method: "GET", path: "/api/v1/scoring/suspicions", headers: as, status: 403, code: "forbidden"},
		{method: "GET", path: "/api/v1/scoring/trainees/nobody", headers: staff, status: 200},
	} {
		ct.run(t, rg, x)
	}

	// A lab, from launch to stop, on a runtime that builds nothing.
	r := ct.run(t, rg, exchange{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{"scenario": "orientation"}, status: 202})
	lab := "/api/v1/labs/" + r.body["id"].(string)
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/labs", headers: as, body: map[string]string{"scenario": "orientation"}, status: 409, code: "quota_exceeded"})
	ct.run(t, rg, exchange{method: "POST", path: lab + "/terminal", headers: as, status: 409, code: "lab_not_running"})
	waitUntil(t, func() bool { return rg.call("GET", lab, nil, as...).body["state"] == "running" })
	for _, x := range []exchange{
		{method: "GET", path: lab, headers: as, status: 200},
		{method: "GET", path: lab + "/events", headers: as, status: 200},
		{method: "GET", path: "/api/v1/labs?all=1", headers: staff, status: 200},
		{method: "GET", path: "/api/v1/labs?active=1", headers: as, status: 200},
		{method: "POST", path: lab + "/terminal", headers: as, status: 200},
		{method: "GET", path: lab + "/recordings", headers: as, status: 200},
		{method: "GET", path: lab + "/objectives", headers: as, status: 200},
		{method: "POST", path: lab + "/objectives/first-flag", headers: as, body: map[string]string{"answer": "FLAG{not-this-one}"}, status: 200},
		{method: "POST", path: lab + "/objectives/atlantis", headers: as, body: map[string]string{"answer": "FLAG{x}"}, status: 404, code: "objective_not_found"},
		{method: "POST", path: lab + "/objectives/field-notes/check", headers: as, status: 503, code: "check_unavailable"},
		{method: "POST", path: lab + "/hints/where-is-web", headers: as, status: 200},
		{method: "POST", path: lab + "/hints/atlantis", headers: as, status: 404, code: "hint_not_found"},
		{method: "POST", path: lab + "/objectives/first-flag/walkthrough", headers: as, status: 200},
		{method: "GET", path: "/api/v1/me/progress", headers: as, status: 200},
		{method: "GET", path: "/api/v1/scoring/trainees/" + rg.userID("trainee@range.test"), headers: staff, status: 200},
		{method: "POST", path: lab + "/web", headers: as, body: map[string]any{"host": "web", "port": 22}, status: 404, code: "web_target_not_found"},
		{method: "POST", path: lab + "/extend", headers: as, status: 200},
		{method: "POST", path: lab + "/extend", headers: as, status: 409, code: "extend_limit"},
	} {
		ct.run(t, rg, x)
	}
	r = ct.run(t, rg, exchange{method: "POST", path: lab + "/web", headers: as, body: map[string]any{"host": "web", "port": 8080}, status: 201})
	link := r.body["url"].(string)
	ct.run(t, rg, exchange{method: "GET", path: strings.TrimSuffix(link, "/"), status: 302})
	ct.run(t, rg, exchange{method: "DELETE", path: lab, headers: as, status: 200})
	ct.run(t, rg, exchange{method: "POST", path: lab + "/reset", headers: as, status: 409, code: "lab_not_running"})
	ct.run(t, rg, exchange{method: "GET", path: link, status: 409, code: "lab_not_running"})

	// Refused sign-ins, until the address is held back.
	for range 20 {
		rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "trainee@range.test", "password": "wrong password!"})
	}
	ct.run(t, rg, exchange{method: "POST", path: "/api/v1/auth/login", body: login, status: 429, code: "too_many_attempts"})
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

func (rg *range_) userID(email string) string {
	rg.t.Helper()
	list, _, err := rg.accounts.Users(context.Background(), 200, 0)
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
