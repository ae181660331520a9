package server_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// auditRecords are the audit log's entries, oldest first, as
// "actor action target" lines.
func auditRecords(t *testing.T, rg *range_, admin string) []string {
	t.Helper()
	list := auditEntries(t, rg, admin, "limit=500")
	out := make([]string, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		e := list[i]
		out = append(out, fmt.Sprint(e["actor_id"], " ", e["action"], " ", e["target_id"]))
	}
	return out
}

// Every staff action on another person's account, invite or lab, and
// every shadow started, is recorded; a trainee's own actions are not.
func TestStaffActionsAreRecorded(t *testing.T) {
	f := fakeLabs()
	fakeTerminals(f)
	rg := newRangeWithLabs(t, f)
	base := rg.listen()
	admin := rg.setupAdmin()
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teach@range.test", accounts.RoleInstructor)
	rg.teaches("teach@range.test", "alice@range.test")
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
		teacherID + " lab.shadow " + lab,
		teacherID + " lab.extend " + lab,
		teacherID + " lab.reset " + lab,
		teacherID + " lab.stop " + second,
		adminID + " user.role_change " + aliceID,
		adminID + " user.disable " + aliceID,
		adminID + " user.enable " + aliceID,
		adminID + " user.password_reset_invite " + aliceID,
		adminID + " invite.revoke " + reset.body["id"].(string),
	}
	if got := auditRecords(t, rg, admin); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("recorded:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
