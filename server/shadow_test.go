package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
)

// dialShadow gets a shadow ticket for the lab and opens the read-only view.
func dialShadow(t *testing.T, rg *range_, base, token, lab string) *websocket.Conn {
	t.Helper()
	r := rg.call("POST", "/api/v1/staff/labs/"+lab+"/shadow", nil, bearer(token)...)
	expect(t, r, 200, "")
	ws, _, err := dialURL(base+r.body["url"].(string), publicURL)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// closeOf reads until the socket closes and returns its close frame.
func closeOf(t *testing.T, ws *websocket.Conn) *websocket.CloseError {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			ce, ok := err.(*websocket.CloseError)
			if !ok {
				t.Fatalf("the socket ended without a close frame: %v", err)
			}
			return ce
		}
	}
}

// Staff watch a trainee's terminal: the output so far and as it comes,
// never able to type into it; the trainee is told while they watch.
func TestStaffShadowATraineesTerminal(t *testing.T) {
	f := fakeLabs()
	fakeTerminals(f)
	rg := newRangeWithLabs(t, f)
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test")
	lab := runningLab(t, rg, alice)

	// Before the trainee opens a terminal there is nothing to watch.
	early := dialShadow(t, rg, base, teacher, lab)
	if ce := closeOf(t, early); ce.Code != 4404 {
		t.Fatalf("a shadow with no shell: %v", ce)
	}

	ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	defer hangUp(ws)
	ws.WriteMessage(websocket.BinaryMessage, []byte("echo \"before\"-watch\n"))
	readUntil(t, ws, "before-watch")

	shadow := dialShadow(t, rg, base, teacher, lab)
	readUntil(t, shadow, `"type":"shadow"`)
	readUntil(t, shadow, "before-watch") // the scrollback so far
	readUntil(t, ws, `{"type":"watched","watchers":1}`)

	ws.WriteMessage(websocket.BinaryMessage, []byte("echo \"while\"-watched\n"))
	readUntil(t, shadow, "while-watched")

	// Input from the shadow is refused and never reaches the shell.
	shadow.WriteMessage(websocket.BinaryMessage, []byte("echo \"from\"-shadow\n"))
	if ce := closeOf(t, shadow); ce.Code != websocket.ClosePolicyViolation || !strings.Contains(ce.Text, "read-only") {
		t.Fatalf("input from a shadow: %v", ce)
	}
	readUntil(t, ws, `{"type":"watched","watchers":0}`)
	ws.WriteMessage(websocket.BinaryMessage, []byte("echo \"after\"-shadow\n"))
	if out := readUntil(t, ws, "after-shadow"); strings.Contains(out, "from-shadow") {
		t.Fatalf("the shadow's input reached the shell: %q", out)
	}

	// A resize from a shadow is refused too.
	shadow = dialShadow(t, rg, base, teacher, lab)
	readUntil(t, shadow, "after-shadow")
	shadow.WriteMessage(websocket.TextMessage, []byte(`{"type":"resize","rows":5,"cols":7}`))
	if ce := closeOf(t, shadow); ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("a resize from a shadow: %v", ce)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("stty size\n"))
	if out := readUntil(t, ws, "$ "); strings.Contains(out, "5 7") {
		t.Fatalf("the shadow resized the shell: %q", out)
	}

	// A shadow that closes is gone from the trainee's notice.
	shadow = dialShadow(t, rg, base, teacher, lab)
	readUntil(t, ws, `{"type":"watched","watchers":1}`)
	hangUp(shadow)
	readUntil(t, ws, `{"type":"watched","watchers":0}`)

	// Only staff may watch, and only with a shadow ticket.
	expect(t, rg.call("POST", "/api/v1/staff/labs/"+lab+"/shadow", nil, bearer(bob)...), 403, "forbidden")
	expect(t, rg.call("POST", "/api/v1/staff/labs/"+lab+"/shadow", nil, bearer(alice)...), 403, "forbidden")
	own := rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(alice)...).body["ticket"].(string)
	if _, resp, err := dialURL(base+"/api/v1/staff/labs/"+lab+"/shadow/ws?ticket="+own, publicURL); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("a terminal ticket opened a shadow: %v", err)
	}
	staffTicket := rg.call("POST", "/api/v1/staff/labs/"+lab+"/shadow", nil, bearer(teacher)...).body["url"].(string)
	if _, resp, err := dialURL(base+staffTicket, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("a shadow from a foreign page: %v", err)
	}
}

// The staff view of a trainee's lab is the trainee's: their objectives
// and their score, with their name and the scenario's title.
func TestStaffSeeATraineesLab(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test")
	lab := runningLab(t, rg, alice)
	r := rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": "FLAG{wrong}"}, bearer(alice)...)
	expect(t, r, 200, "")

	r = rg.call("GET", "/api/v1/staff/labs/"+lab, nil, bearer(teacher)...)
	expect(t, r, 200, "")
	objectives, _ := r.body["objectives"].([]any)
	if len(objectives) == 0 || r.body["trainee_name"] == "" || r.body["scenario_title"] == "orientation" {
		t.Fatalf("staff view: %s", r.raw)
	}
	if r.body["lab"].(map[string]any)["trainee_id"] == "" || r.body["score"] == nil {
		t.Fatalf("staff view: %s", r.raw)
	}
	expect(t, rg.call("GET", "/api/v1/staff/labs/"+lab, nil, bearer(alice)...), 403, "forbidden")
	expect(t, rg.call("GET", "/api/v1/staff/labs/lnotalabatall", nil, bearer(teacher)...), 404, "lab_not_found")
}
