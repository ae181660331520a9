package server_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/sakimori/sakimori/accounts"
)

// auditEntries reads the whole audit log as the admin, newest first,
// filtered by query.
func auditEntries(t *testing.T, rg *range_, admin, query string) []map[string]any {
	t.Helper()
	r := rg.call("GET", "/api/v1/audit?"+query, nil, bearer(admin)...)
	expect(t, r, 200, "")
	list, _ := r.body["entries"].([]any)
	out := make([]map[string]any, len(list))
	for i, e := range list {
		out[i] = e.(map[string]any)
	}
	return out
}

// onlyEntry is the one entry of the action, failing unless there is
// exactly one.
func onlyEntry(t *testing.T, rg *range_, admin, action string) map[string]any {
	t.Helper()
	list := auditEntries(t, rg, admin, "action="+action)
	if len(list) != 1 {
		t.Fatalf("%d %s entries, want 1: %v", len(list), action, list)
	}
	return list[0]
}

// Each staff action appears in the audit log once its call returns, naming
// who, what, which request and from where (docs/security.md case 11);
// a trainee acting on their own lab or replay is not audited.
func TestStaffActionsAreAudited(t *testing.T) {
	f := fakeLabs()
	fakeTerminals(f)
	rg := newRangeWithLabs(t, f)
	base := rg.listen()
	admin := rg.setupAdmin()
	adminID := rg.userID("admin@range.test")
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test")
	teacherID, aliceID := rg.userID("teacher@range.test"), rg.userID("alice@range.test")
	if n := len(auditEntries(t, rg, admin, "")); n != 0 {
		t.Fatalf("%d entries before any staff action", n)
	}

	r := rg.call("POST", "/api/v1/users", map[string]string{"email": "made@range.test", "password": "long enough password", "role": "instructor"},
		append(bearer(admin), "X-Request-ID", "req-user-create")...)
	expect(t, r, 201, "")
	e := onlyEntry(t, rg, admin, "user.create")
	if e["actor_id"] != adminID || e["actor_role"] != "admin" || e["target_kind"] != "user" || e["target_id"] != r.body["id"] ||
		e["request_id"] != "req-user-create" || e["source_ip"] == "" || e["detail"].(map[string]any)["role"] != "instructor" {
		t.Fatalf("user.create entry: %v", e)
	}

	r = rg.call("POST", "/api/v1/invites", map[string]any{"role": "trainee", "email": "new@range.test"}, bearer(teacher)...)
	expect(t, r, 201, "")
	e = onlyEntry(t, rg, admin, "invite.create")
	if e["actor_id"] != teacherID || e["target_id"] != r.body["id"] || strings.Contains(fmt.Sprint(e), r.body["code"].(string)) {
		t.Fatalf("invite.create entry (the code itself is never kept): %v", e)
	}

	lab := runningLab(t, rg, alice)
	ws, _, err := dialTerminal(t, rg, base, alice, lab, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte("echo marker\n"))
	readUntil(t, ws, "marker")
	hangUp(ws)
	r = rg.call("GET", "/api/v1/labs/"+lab+"/recordings", nil, bearer(alice)...)
	recID := r.body["recordings"].([]any)[0].(map[string]any)["id"].(string)
	expect(t, rg.call("GET", "/api/v1/recordings/"+recID, nil, bearer(alice)...), 200, "")
	if n := len(auditEntries(t, rg, admin, "action=recording.watch")); n != 0 {
		t.Fatalf("a trainee watching her own replay was audited (%d entries)", n)
	}
	expect(t, rg.call("GET", "/api/v1/recordings/"+recID, nil, bearer(teacher)...), 200, "")
	e = onlyEntry(t, rg, admin, "recording.watch")
	if e["actor_id"] != teacherID || e["target_id"] != recID || e["detail"].(map[string]any)["trainee"] != aliceID {
		t.Fatalf("recording.watch entry: %v", e)
	}

	if n := len(auditEntries(t, rg, admin, "action=lab.terminal_open")); n != 0 {
		t.Fatalf("a trainee opening a terminal in her own lab was audited (%d entries)", n)
	}
	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(teacher)...), 200, "")
	if e = onlyEntry(t, rg, admin, "lab.terminal_open"); e["actor_id"] != teacherID || e["target_id"] != lab || e["detail"].(map[string]any)["trainee"] != aliceID {
		t.Fatalf("lab.terminal_open entry: %v", e)
	}
	expect(t, rg.call("GET", "/api/v1/scoring/suspicions", nil, bearer(teacher)...), 200, "")
	if e = onlyEntry(t, rg, admin, "suspicions.view"); e["actor_id"] != teacherID {
		t.Fatalf("suspicions.view entry: %v", e)
	}
	expect(t, rg.call("GET", "/api/v1/scoring/trainees/"+aliceID, nil, bearer(teacher)...), 200, "")
	if e = onlyEntry(t, rg, admin, "trainee_record.view"); e["target_id"] != aliceID {
		t.Fatalf("trainee_record.view entry: %v", e)
	}

	expect(t, rg.call("POST", "/api/v1/labs/"+lab+"/reset", nil, bearer(teacher)...), 200, "")
	if e = onlyEntry(t, rg, admin, "lab.reset"); e["actor_id"] != teacherID || e["target_id"] != lab || e["detail"].(map[string]any)["trainee"] != aliceID {
		t.Fatalf("lab.reset entry: %v", e)
	}
	expect(t, rg.call("DELETE", "/api/v1/labs/"+lab, nil, bearer(teacher)...), 200, "")
	if e = onlyEntry(t, rg, admin, "lab.stop"); e["actor_id"] != teacherID || e["target_id"] != lab {
		t.Fatalf("lab.stop entry: %v", e)
	}
	own := runningLab(t, rg, alice)
	expect(t, rg.call("DELETE", "/api/v1/labs/"+own, nil, bearer(alice)...), 200, "")
	if n := len(auditEntries(t, rg, admin, "action=lab.stop")); n != 1 {
		t.Fatalf("a trainee stopping her own lab was audited (%d stop entries)", n)
	}

	// Filters: by actor, and a time window around now.
	mine := auditEntries(t, rg, admin, "actor="+teacherID)
	if len(mine) != 7 {
		t.Fatalf("the instructor's entries: %d, want 7 (invite, watch, terminal, suspicions, record, reset, stop)", len(mine))
	}
	since := url.QueryEscape(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	until := url.QueryEscape(time.Now().Add(-30 * time.Minute).UTC().Format(time.RFC3339))
	if n := len(auditEntries(t, rg, admin, "since="+since+"&until="+until)); n != 0 {
		t.Fatalf("%d entries in a window before the test began", n)
	}
}

func TestAuditLogPagesWithACursor(t *testing.T) {
	rg := newRange(t)
	admin := rg.setupAdmin()
	for i := range 5 {
		r := rg.call("POST", "/api/v1/invites", map[string]any{"email": fmt.Sprintf("p%d@range.test", i)}, bearer(admin)...)
		expect(t, r, 201, "")
	}
	var emails []string
	for query, pages := "limit=2", 0; ; pages++ {
		r := rg.call("GET", "/api/v1/audit?"+query, nil, bearer(admin)...)
		expect(t, r, 200, "")
		for _, e := range r.body["entries"].([]any) {
			emails = append(emails, e.(map[string]any)["detail"].(map[string]any)["email"].(string))
		}
		cursor, _ := r.body["next_cursor"].(string)
		if cursor == "" {
			if pages != 2 {
				t.Fatalf("%d pages of 2 for 5 entries", pages+1)
			}
			break
		}
		query = "limit=2&cursor=" + cursor
	}
	if strings.Join(emails, " ") != "p4@range.test p3@range.test p2@range.test p1@range.test p0@range.test" {
		t.Fatalf("entries across pages, newest first: %v", emails)
	}
}

func TestAuditLogIsForAdminsAndRefusesBadFilters(t *testing.T) {
	rg := newRange(t)
	admin := rg.setupAdmin()
	trainee, _ := rg.userWithRole("t@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("i@range.test", accounts.RoleInstructor)
	partner, _ := rg.userWithRole("p@range.test", accounts.RolePartner)
	rg.check(t, []apiCase{
		{name: "no token", method: "GET", url: "/api/v1/audit", status: 401},
		{name: "trainee", method: "GET", url: "/api/v1/audit", token: trainee, status: 403, code: "forbidden"},
		{name: "instructor", method: "GET", url: "/api/v1/audit", token: teacher, status: 403, code: "forbidden"},
		{name: "partner", method: "GET", url: "/api/v1/audit", token: partner, status: 403, code: "forbidden"},
		{name: "instructor export", method: "GET", url: "/api/v1/audit/export", token: teacher, status: 403, code: "forbidden"},
		{name: "admin", method: "GET", url: "/api/v1/audit", token: admin, status: 200, has: []string{`"entries":[]`}},
		{name: "unknown action", method: "GET", url: "/api/v1/audit?action=lab.explode", token: admin, status: 400, code: "audit_filter_invalid"},
		{name: "since not a time", method: "GET", url: "/api/v1/audit?since=yesterday", token: admin, status: 400, code: "audit_filter_invalid"},
		{name: "until not a time", method: "GET", url: "/api/v1/audit?until=2026-13-01T00:00:00Z", token: admin, status: 400, code: "audit_filter_invalid"},
		{name: "until before since", method: "GET", url: "/api/v1/audit?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", token: admin, status: 400, code: "audit_filter_invalid"},
		{name: "limit zero", method: "GET", url: "/api/v1/audit?limit=0", token: admin, status: 400, code: "audit_filter_invalid"},
		{name: "limit huge", method: "GET", url: "/api/v1/audit?limit=100000", token: admin, status: 400, code: "audit_filter_invalid"},
		{name: "actor too long", method: "GET", url: "/api/v1/audit?actor=" + strings.Repeat("a", 65), token: admin, status: 400, code: "audit_filter_invalid"},
		{name: "cursor forged", method: "GET", url: "/api/v1/audit?cursor=x%27%20OR%201=1", token: admin, status: 400, code: "audit_cursor_invalid"},
		{name: "cursor negative", method: "GET", url: "/api/v1/audit?cursor=-4", token: admin, status: 400, code: "audit_cursor_invalid"},
		{name: "export format", method: "GET", url: "/api/v1/audit/export?format=xlsx", token: admin, status: 400, code: "audit_format_invalid"},
		{name: "export filter", method: "GET", url: "/api/v1/audit/export?since=soon", token: admin, status: 400, code: "audit_filter_invalid"},
	})
	if n := len(auditEntries(t, rg, admin, "")); n != 0 {
		t.Fatalf("refused requests left %d entries", n)
	}
}

// An export is a download of the log, NDJSON or CSV, holding its own entry.
func TestAuditExportIsADownloadThatAuditsItself(t *testing.T) {
	rg := newRange(t)
	admin := rg.setupAdmin()
	adminID := rg.userID("admin@range.test")
	expect(t, rg.call("POST", "/api/v1/invites", map[string]any{"email": "x@range.test"}, bearer(admin)...), 201, "")

	r := rg.call("GET", "/api/v1/audit/export", nil, bearer(admin)...)
	expect(t, r, 200, "")
	if r.header.Get("Content-Type") != "application/x-ndjson" || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("NDJSON export headers: %v", r.header)
	}
	lines := strings.Split(strings.TrimSpace(r.raw), "\n")
	var first, second map[string]any
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[1]), &second) != nil {
		t.Fatalf("NDJSON export: %q", r.raw)
	}
	if first["action"] != "audit.export" || first["actor_id"] != adminID || second["action"] != "invite.create" {
		t.Fatalf("the export, newest first, holds itself: %v / %v", first, second)
	}

	r = rg.call("GET", "/api/v1/audit/export?format=csv&action=invite.create", nil, bearer(admin)...)
	expect(t, r, 200, "")
	rows, err := csv.NewReader(strings.NewReader(r.raw)).ReadAll()
	if err != nil || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV export: %v %q", err, r.raw)
	}
	if len(rows) != 2 || rows[0][4] != "action" || rows[1][4] != "invite.create" || !strings.Contains(rows[1][7], "email=x@range.test") {
		t.Fatalf("CSV export of the invites: %q", rows)
	}
	if n := len(auditEntries(t, rg, admin, "action=audit.export")); n != 2 {
		t.Fatalf("%d export entries after two exports", n)
	}
}
