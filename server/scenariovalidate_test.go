package server_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

// An author's editor sends the manifest as typed and gets every problem
// at its place; a valid manifest is valid, a YAML bomb is a problem and
// not a crash, and only staff may ask.
func TestScenarioValidationPlacesEveryProblem(t *testing.T) {
	rg := newRange(t, withBodyLimit(1<<20))
	ct := contractOf(t, rg)
	instructor, _ := rg.userWithRole("sensei@range.test", accounts.RoleInstructor)
	trainee, _ := rg.userWithRole("hanako@range.test", accounts.RoleTrainee)
	good, err := fs.ReadFile(scenarios.Files(), "orientation/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	check := func(who, body, ctype string) reply {
		t.Helper()
		r := rg.call("POST", "/api/v1/scenario-validate", body, append(bearer(who), "Content-Type", ctype)...)
		ct.holdsAs(t, "POST", "/api/v1/scenario-validate", ctype, []byte(body), r)
		return r
	}
	problems := func(r reply) []map[string]any {
		t.Helper()
		expect(t, r, 200, "")
		var out []map[string]any
		for _, p := range r.body["problems"].([]any) {
			out = append(out, p.(map[string]any))
		}
		return out
	}

	if r := check(instructor, string(good), "application/yaml"); r.body["valid"] != true || len(problems(r)) != 0 {
		t.Fatalf("the built-in orientation manifest: %s", r.raw)
	}

	// A value the validator refuses, placed at its field, line and column;
	// a field the manifest does not have, named.
	unknown := strings.Replace(string(good), "summary: ", "x_summary: ", 1)
	if r := check(instructor, strings.Replace(string(good), "id: orientation", "id: Orientation!", 1), "application/yaml"); r.body["valid"] != false {
		t.Fatalf("a bad id is valid: %s", r.raw)
	} else if ps := problems(r); len(ps) == 0 || ps[0]["path"] != "id" || ps[0]["line"] == nil || ps[0]["column"] == nil {
		t.Fatalf("the bad id is not placed: %s", r.raw)
	}
	if ps := problems(check(instructor, unknown, "application/yaml")); len(ps) != 1 || !strings.Contains(ps[0]["message"].(string), "x_summary") {
		t.Fatalf("an unknown field: %v", ps)
	}

	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	// Sent past the contract check, whose own YAML decoder refuses the bomb.
	if ps := problems(rg.call("POST", "/api/v1/scenario-validate", bomb, append(bearer(instructor), "Content-Type", "application/yaml")...)); len(ps) == 0 {
		t.Fatal("a YAML bomb is valid")
	}

	expect(t, check(instructor, string(good), "application/xml"), 400, "manifest_content_type_invalid")
	expect(t, check(instructor, string(good), "application/json"), 400, "body_invalid")

	// A whole folder, as the editor sends it: a problem of any file is
	// placed in that file.
	folder := map[string]string{}
	_ = fs.WalkDir(scenarios.Files(), "orientation", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && bundle.InLayout(p[len("orientation/"):]) {
			data, _ := fs.ReadFile(scenarios.Files(), p)
			folder[p[len("orientation/"):]] = string(data)
		}
		return nil
	})
	send := func(files map[string]string) reply {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"files": files})
		return check(instructor, string(body), "application/json")
	}
	if r := send(folder); r.body["valid"] != true || r.body["preview"] == nil {
		t.Fatalf("the orientation folder: %.300s", r.raw)
	}
	for file, text := range map[string]string{
		"solution.yaml": "- objective: nowhere\n  answer: x\n",
		"text.ja.yaml":  folder["text.ja.yaml"] + "titel: 誤字\n",
	} {
		broken := maps.Clone(folder)
		broken[file] = text
		ps := problems(send(broken))
		if len(ps) == 0 || ps[0]["file"] != file || ps[0]["line"] == nil {
			t.Fatalf("a problem of %s: %v", file, ps)
		}
	}
	expect(t, send(map[string]string{}), 400, "draft_files_required")
	expect(t, check(trainee, string(good), "application/yaml"), 403, "forbidden")
}
