package server_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

// orientationBundles are the built-in orientation scenario's bundle, one
// with its summary changed, and one whose manifest is not valid.
func orientationBundles(t *testing.T) (v1, v2, invalid string) {
	t.Helper()
	first, err := bundle.Export(scenarios.Files(), "orientation")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(from, to string) string {
		b, err := bundle.Read(bytes.NewReader(first), bundle.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		b.Files["scenario.yaml"] = []byte(strings.Replace(string(b.Files["scenario.yaml"]), from, to, 1))
		out, err := b.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	return string(first), edit("summary: Find your way", "summary: Learn your way"), edit("summary:", "sumary:")
}

// Instructors of an organisation keep scenarios as bundles through the
// API: an upload larger than every other route's body limit is a draft,
// its author lists, downloads and compares versions and shares the
// scenario; a colleague sees it only once shared, another organisation
// never, and a trainee not at all. Unsafe and invalid bundles are refused
// with their codes, and nothing is kept.
func TestAuthoredScenariosOverTheAPI(t *testing.T) {
	const bodyLimit = 2048
	cl := newClass(t, withBodyLimit(bodyLimit))
	ct := contractOf(t, cl.rg)
	colleague(cl)
	v1, v2, invalid := orientationBundles(t)
	if len(v1) <= bodyLimit {
		t.Fatalf("the bundle (%d bytes) must pass the test range's body limit for this test to mean anything", len(v1))
	}
	base := "/api/v1/organisations/" + cl.orgA + "/authored-scenarios"
	send := func(who, method, path string, body any, headers ...string) reply {
		t.Helper()
		r := cl.rg.call(method, path, body, append(bearer(cl.token[who]), headers...)...)
		var raw []byte
		switch b := body.(type) {
		case nil:
		case string:
			raw = []byte(b)
		default:
			raw, _ = json.Marshal(b)
		}
		if !strings.HasSuffix(path, "/bundle") && headers0(headers) == "" {
			ct.holds(t, method, path, raw, r)
		}
		return r
	}
	gz := []string{"Content-Type", "application/gzip"}
	upload := func(who, data string) reply { return send(who, "POST", base, data, gz...) }

	first := upload("teachA", v1)
	expect(t, first, 201, "")
	id, digest1 := first.body["authored_id"].(string), first.body["digest"].(string)
	if first.body["draft"] != true || len(digest1) != 64 {
		t.Fatalf("first upload: %s", first.raw)
	}
	if again := upload("teachA", v1); again.status != 201 || again.body["digest"] != digest1 {
		t.Fatalf("the same bytes again: %s", again.raw)
	}
	second := upload("teachA", v2)
	expect(t, second, 201, "")
	digest2 := second.body["digest"].(string)

	// Refusals, each keeping nothing.
	for _, c := range []struct {
		name, who, body, ctype string
		status                 int
		code                   string
	}{
		{"not gzip", "teachA", "scenario.yaml", "application/gzip", 400, "bundle_refused"},
		{"invalid manifest", "teachA", invalid, "application/gzip", 400, "scenario_invalid"},
		{"JSON", "teachA", v1, "application/json", 400, "bundle_content_type_invalid"},
		{"a colleague's scenario", "teachA2", v2, "application/gzip", 403, "authoring_not_author"},
		{"another organisation's instructor", "teachB", v1, "application/gzip", 404, "organisation_not_found"},
		{"a trainee", "trainee", v1, "application/gzip", 403, "forbidden"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cl.rg.call("POST", base, c.body, append(bearer(cl.token[c.who]), "Content-Type", c.ctype)...)
			expect(t, r, c.status, c.code)
		})
	}
	r := cl.rg.call("POST", base, invalid, append(bearer(cl.token["teachA"]), "Content-Type", "application/gzip")...)
	if msg, _ := r.body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "sumary") || !strings.Contains(msg, "line 7") {
		t.Errorf("the invalid manifest's problem is not placed: %s", r.raw)
	}

	versions := func(who string) reply { return send(who, "GET", base+"/"+id+"/versions", nil) }
	if v := versions("teachA"); v.status != 200 || len(v.body["versions"].([]any)) != 2 {
		t.Fatalf("the author's versions: %s", v.raw)
	}
	listed := func(who, org string) []any {
		r := send(who, "GET", "/api/v1/organisations/"+org+"/authored-scenarios", nil)
		expect(t, r, 200, "")
		return r.body["scenarios"].([]any)
	}
	if got := listed("teachA", cl.orgA); len(got) != 1 || got[0].(map[string]any)["scenario_id"] != "orientation" {
		t.Fatalf("the author's list: %v", got)
	}
	if got := listed("teachA2", cl.orgA); len(got) != 0 {
		t.Fatalf("a colleague lists a private scenario: %v", got)
	}
	expect(t, versions("teachA2"), 404, "authored_scenario_not_found")
	// The organisation's admin edits and reads all of its scenarios.
	if got := listed("adminA", cl.orgA); len(got) != 1 {
		t.Fatalf("the org admin's list: %v", got)
	}
	expect(t, versions("adminA"), 200, "")
	expect(t, send("teachB", "GET", base+"/"+id+"/versions", nil), 404, "organisation_not_found")

	dl := cl.rg.call("GET", base+"/"+id+"/versions/"+digest1+"/bundle", nil, bearer(cl.token["teachA"])...)
	if dl.status != 200 || dl.raw != v1 || dl.header.Get("ETag") != `"`+digest1+`"` || dl.header.Get("Content-Type") != "application/gzip" {
		t.Fatalf("download: %d %v (%d bytes)", dl.status, dl.header, len(dl.raw))
	}

	diff := send("teachA", "GET", base+"/"+id+"/diff?from="+digest1+"&to="+digest2, nil)
	expect(t, diff, 200, "")
	files := diff.body["files"].([]any)
	if len(files) != 1 || !strings.Contains(files[0].(map[string]any)["unified"].(string), "+summary: Learn your way") {
		t.Fatalf("diff: %s", diff.raw)
	}
	expect(t, send("teachA", "GET", base+"/"+id+"/diff?from="+digest1, nil), 400, "diff_versions_missing")

	vis := base + "/" + id + "/visibility"
	expect(t, send("teachA", "PUT", vis, map[string]string{"visibility": "everyone"}), 400, "visibility_invalid")
	expect(t, send("teachA2", "PUT", vis, map[string]string{"visibility": "range"}), 403, "authoring_not_author")
	expect(t, send("teachA", "PUT", vis, map[string]string{"visibility": "range"}), 204, "")
	// Shared: a colleague lists it, and reads no drafts (nothing is published yet).
	if got := listed("teachA2", cl.orgA); len(got) != 1 {
		t.Fatalf("a colleague's list once shared: %v", got)
	}
	expect(t, versions("teachA2"), 404, "authored_scenario_not_found")
	if n := len(auditEntries(t, cl.rg, cl.token["admin"], "action=authored_scenario.upload")); n != 3 {
		t.Errorf("%d uploads audited, want 3 (the same bytes again keep nothing new, yet are a call)", n)
	}
	if n := len(auditEntries(t, cl.rg, cl.token["admin"], "action=authored_scenario.visibility")); n != 1 {
		t.Errorf("%d visibility changes audited, want 1", n)
	}
}

func headers0(h []string) string {
	if len(h) >= 2 && h[0] == "Content-Type" {
		return h[1]
	}
	return ""
}
