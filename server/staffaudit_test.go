package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// auditRecords are the staff actions the server recorded, as
// "actor action subject" lines.
func auditRecords(logs *logBuffer) []string {
	var out []string
	for _, line := range strings.Split(logs.String(), "\n") {
		var rec struct{ Msg, Actor, Action, Subject string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "staff action" {
			out = append(out, rec.Actor+" "+rec.Action+" "+rec.Subject)
		}
	}
	return out
}

// Every staff action on another person's account, invite or lab, and
// every shadow started, is recorded; a trainee's own actions are not.
func TestStaffActionsAreRecorded(t *testing.T) {
	var logs logBuffer
	f := fakeLabs()
	fakeTerminals(f)
	rg := newRangeWithLabs(t, f, withLogTo(&logs))
	base := rg.listen()
	admin := rg.setupAdmin()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teach@range.test", accounts.RoleInstructor)
	aliceID, adminID, teacherID := rg.userID("alice@range.test"), rg.userID("admin@range.test"), rg.userID("teach@range.test")
	lab := runningLab(t, rg, alice)

	ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, ws, `"type":"session"`)
	shadow := dialShadow(t, rg, base, teacher, lab)
	readUntil(t, shadow, `"type":"shadow"`)
	hangUp(shadow)
	hangUp(ws)

	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/extend", nil, bearer(teacher)...), 200, "")
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/reset", nil, bearer(teacher)...), 200, "")
	expect(t, rg.call("DELETE", "/api/v1/labs/"+lab, nil, bearer(alice)...), 200, "") // her own: not recorded
	second := runningLab(t, rg, alice)
	expect(t, rg.call("DELETE", "/api/v1/labs/"+second, nil, bearer(teacher)...), 200, "")
	expect(t, rg.call("PATCH", "/api/v1/users/"+aliceID, map[string]any{"role": "partner"}, bearer(admin)...), 200, "")
	expect(t, rg.call("PATCH", "/api/v1/users/"+aliceID, map[string]any{"disabled": true}, bearer(admin)...), 200, "")
	expect(t, rg.call("PATCH", "/api/v1/users/"+aliceID, map[string]any{"disabled": false}, bearer(admin)...), 200, "")
	reset := rg.call("POST", "/api/v1/users/"+aliceID+"/password-reset", nil, bearer(admin)...)
	expect(t, rg.call("DELETE", "/api/v1/invites/"+reset.body["id"].(string), nil, bearer(admin)...), 200, "")

	want := []string{
		teacherID + " lab.shadow_started " + lab,
		teacherID + " lab.extended " + lab,
		teacherID + " lab.reset " + lab,
		teacherID + " lab.stopped " + second,
		adminID + " user.role_changed " + aliceID,
		adminID + " user.disabled " + aliceID,
		adminID + " user.enabled " + aliceID,
		adminID + " user.password_reset_invited " + aliceID,
		adminID + " invite.revoked " + reset.body["id"].(string),
	}
	if got := auditRecords(&logs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("recorded:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
