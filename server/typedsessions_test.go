package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
)

// A trainee's timeline, for the staff who supervise them: the terminal
// opened and each command typed in it, from the session's recording, and
// the checks the range ran, each with its result and its evidence.
func TestTimelineShowsTerminalsCommandsAndChecks(t *testing.T) {
	f := fakeLabs()
	fakeTerminals(f)
	f.Handle("test", func(_ context.Context, p *drivertest.Process) int {
		p.Stdout.Write([]byte("notes.txt is empty\n"))
		return 1
	})
	rg := newRangeWithLabs(t, f)
	base := rg.listen()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	bob, _ := rg.userWithRole("bob@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	other, _ := rg.userWithRole("other@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test")
	rg.teaches("other@range.test", "bob@range.test")
	lab := runningLab(t, rg, alice)

	ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	// The fake's shell has no line editor; the timeline's reading has.
	ws.WriteMessage(websocket.BinaryMessage, []byte("echo marker-1x\x7f2\n"))
	readUntil(t, ws, "marker-1")
	hangUp(ws)
	r := rg.call("POST", "/api/v1/labs/"+lab+"/objectives/field-notes/check", nil, bearer(alice)...)
	expect(t, r, 200, "")

	me := rg.call("GET", "/api/v1/me", nil, bearer(alice)...).body["id"].(string)
	path := "/api/v1/scoring/trainees/" + me + "/terminal"
	var session map[string]any
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r = rg.call("GET", path, nil, bearer(teacher)...)
		expect(t, r, 200, "")
		list := r.body["sessions"].([]any)
		if len(list) == 1 {
			session = list[0].(map[string]any)
			if cmds := session["commands"].([]any); len(cmds) > 0 || time.Now().After(deadline) {
				break // the cast is written out as the session closes
			}
		} else if time.Now().After(deadline) {
			t.Fatalf("sessions: %s", r.raw)
		}
	}
	cmds := session["commands"].([]any)
	if session["lab_id"] != lab || session["started_at"] == nil || len(cmds) != 1 || cmds[0].(map[string]any)["text"] != "echo marker-12" {
		t.Fatalf("the session: %v", session)
	}
	typed, _ := time.Parse(time.RFC3339Nano, cmds[0].(map[string]any)["at"].(string))
	opened, _ := time.Parse(time.RFC3339Nano, session["started_at"].(string))
	if typed.Before(opened) {
		t.Fatalf("typed at %v, before the terminal opened at %v", typed, opened)
	}

	h := rg.call("GET", "/api/v1/scoring/trainees/"+me, nil, bearer(teacher)...)
	expect(t, h, 200, "")
	var check map[string]any
	for _, e := range h.body["events"].([]any) {
		if e := e.(map[string]any); e["objective"] == "field-notes" {
			check = e
		}
	}
	if check == nil || check["check"] != true || check["correct"] != false || !strings.Contains(check["evidence"].(string), "notes.txt is empty") {
		t.Fatalf("the check and its evidence: %v (%s)", check, h.raw)
	}

	expect(t, rg.call("GET", path, nil, bearer(other)...), 404, "trainee_not_found")
	expect(t, rg.call("GET", path, nil, bearer(bob)...), 403, "")
	expect(t, rg.call("GET", path, nil), 401, "")
}
