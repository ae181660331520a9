package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/competency/secboktest"
	"github.com/sakimori/sakimori/server"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func withImportLimits(l competency.ImportLimits, bodyLimit int) option {
	return func(d *server.Deps, _ *accounts.Options) {
		d.Frameworks = &competency.Importer{Limits: l}
		d.Options.BodyLimit = bodyLimit
	}
}

// secbokXLSX writes a workbook in SecBoK's layout holding rows.
func secbokXLSX(t *testing.T, rows ...[]any) string {
	return string(secboktest.Workbook(t, secboktest.Header, rows...))
}

func stixBundle(ids ...string) string {
	var objects []any
	for _, id := range ids {
		objects = append(objects, map[string]any{"type": "attack-pattern", "name": "Technique " + id,
			"external_references": []any{map[string]any{"source_name": "mitre-attack", "external_id": id}},
			"kill_chain_phases":   []any{map[string]any{"kill_chain_name": "mitre-attack", "phase_name": "discovery"}}})
	}
	raw, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--x", "objects": objects})
	return string(raw)
}

func loadedFrameworks(t *testing.T, rg *range_, admin string) map[string]map[string]any {
	t.Helper()
	r := rg.call("GET", "/api/v1/admin/frameworks", nil, bearer(admin)...)
	expect(t, r, 200, "")
	out := map[string]map[string]any{}
	for _, raw := range r.body["loaded"].([]any) {
		m := raw.(map[string]any)
		out[m["kind"].(string)] = m
	}
	return out
}

func TestAdminImportsFrameworksAndABadImportChangesNothing(t *testing.T) {
	lim := competency.ImportLimits{MaxBytes: 64 << 10, MaxUncompressed: 4 << 20, MaxRatio: 100}
	// The body limit of every other route is far below the import limit:
	// the two upload routes are bounded by the import limit alone.
	const bodyLimit = 4096
	rg := newRange(t, withImportLimits(lim, bodyLimit))
	admin := rg.setupAdmin()
	if got := loadedFrameworks(t, rg, admin); len(got) != 0 {
		t.Fatalf("a new range has imports: %v", got)
	}
	book := secbokXLSX(t, []any{"運用", "1.1", "K1", "インシデント対応"}, []any{nil, nil, "K2", "フォレンジック"})
	if len(book) <= bodyLimit {
		t.Fatalf("the workbook (%d bytes) must pass the body limit for this test to mean anything", len(book))
	}
	big := `{"name":"` + strings.Repeat("a", len(book)) + `"}`
	expect(t, rg.call("POST", "/api/v1/users", big, bearer(admin)...), 413, "body_too_large")
	r := rg.call("POST", "/api/v1/admin/frameworks/secbok?version=2025", book, append(bearer(admin), "Content-Type", xlsxType)...)
	expect(t, r, 201, "")
	r = rg.call("POST", "/api/v1/admin/frameworks/attack", stixBundle("T1190", "T1082"), bearer(admin)...)
	expect(t, r, 201, "")
	loaded := loadedFrameworks(t, rg, admin)
	if sb := loaded["secbok"]; sb == nil || sb["count"] != 2.0 || sb["version"] != "2025" || sb["imported_by"] == "" {
		t.Fatalf("SecBoK loaded: %v", loaded)
	}
	if at := loaded["attack"]; at == nil || at["count"] != 2.0 {
		t.Fatalf("ATT&CK loaded: %v", loaded)
	}
	if n := len(auditEntries(t, rg, admin, "action=framework.import")); n != 2 {
		t.Errorf("%d framework.import entries, want 2", n)
	}

	bomb := withZeros(t, secbokXLSX(t, []any{"運用", "1.1", "K9", "x"}), 8<<20)
	bad := []struct {
		name, path, body, ctype, code string
	}{
		{"not a workbook", "secbok", "ID,知識項目\nK3,x\n", xlsxType, "framework_malformed"},
		{"no items", "secbok", secbokXLSX(t), xlsxType, "framework_malformed"},
		{"workbook as JSON", "secbok", book, "application/json", "framework_content_type_invalid"},
		{"version too long", "secbok?version=" + strings.Repeat("9", 41), book, xlsxType, "framework_version_invalid"},
		{"expands too far", "secbok", bomb, xlsxType, "framework_zip_bomb"},
		{"too large", "attack", stixBundle("T9") + strings.Repeat(" ", 65<<10), "application/json", "framework_too_large"},
		{"not a bundle", "attack", `{"type":"bundle","objects":[{"type":"attack-pattern"`, "application/json", "framework_malformed"},
		{"technique twice", "attack", stixBundle("T1", "T1"), "application/json", "framework_malformed"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			r := rg.call("POST", "/api/v1/admin/frameworks/"+c.path, c.body, append(bearer(admin), "Content-Type", c.ctype)...)
			expect(t, r, 400, c.code)
			again := loadedFrameworks(t, rg, admin)
			if again["secbok"]["count"] != 2.0 || again["attack"]["count"] != 2.0 ||
				again["secbok"]["imported_at"] != loaded["secbok"]["imported_at"] || again["attack"]["imported_at"] != loaded["attack"]["imported_at"] {
				t.Fatalf("a refused import changed what is loaded: %v", again)
			}
		})
	}
	if n := len(auditEntries(t, rg, admin, "action=framework.import")); n != 2 {
		t.Errorf("%d framework.import entries after refusals, want 2", n)
	}
	r = rg.call("POST", "/api/v1/admin/frameworks/secbok", "x", append(bearer(admin), "Content-Type", xlsxType, "Accept-Language", "ja")...)
	expect(t, r, 400, "framework_malformed")
	if !strings.Contains(r.raw, "取り込みは行われていません") {
		t.Errorf("the Japanese refusal is missing: %s", r.raw)
	}

	trainee, _ := rg.userWithRole("t@example.com", accounts.RoleTrainee)
	instructor, _ := rg.userWithRole("i@example.com", accounts.RoleInstructor)
	for _, tok := range []string{trainee, instructor} {
		expect(t, rg.call("GET", "/api/v1/admin/frameworks", nil, bearer(tok)...), 403, "forbidden")
		expect(t, rg.call("POST", "/api/v1/admin/frameworks/secbok", book, append(bearer(tok), "Content-Type", xlsxType)...), 403, "forbidden")
		expect(t, rg.call("POST", "/api/v1/admin/frameworks/attack", stixBundle("T1"), bearer(tok)...), 403, "forbidden")
	}
	expect(t, rg.call("GET", "/api/v1/admin/frameworks", nil), 401, "")
}

// withZeros adds an entry of n zero bytes to a workbook: it deflates to
// almost nothing, the shape of a ZIP bomb.
func withZeros(t *testing.T, workbook string, n int) string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&f.FileHeader)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	w, err := zw.Create("xl/media/zeros.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
