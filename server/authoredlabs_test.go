package server_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/labs/driver"
)

// scriptedRehearsal stands in for the engine's rehearsal, which the
// rehearsal package and the browser story run on a real engine: here the
// API around it is under test.
type scriptedRehearsal struct{ pass bool }

func (s scriptedRehearsal) RehearseTo(ctx context.Context, id string, log io.Writer) (bool, error) {
	fmt.Fprintf(log, "%s: launching lab\n", id)
	fmt.Fprintf(log, "report                       refused a wrong answer; passed the reference solution\n")
	return s.pass, nil
}

// edited is files with the first from in scenario.yaml changed to to.
func edited(files map[string]string, from, to string) map[string]string {
	out := maps.Clone(files)
	out["scenario.yaml"] = strings.Replace(files["scenario.yaml"], from, to, 1)
	return out
}

// colleague adds teachA2, an instructor of organisation A who authors
// nothing of it.
func colleague(cl *class) {
	cl.rg.t.Helper()
	cl.token["teachA2"], _ = cl.rg.userWithRole("teachA2@range.test", "instructor")
	cl.ok("adminA", "POST", "/api/v1/organisations/"+cl.orgA+"/members", map[string]string{"email": "teachA2@range.test", "role": "instructor"}, 200)
}

// templateFiles is one template's files from the editor's list, by path,
// with its id renamed.
func templateFiles(t *testing.T, cl *class, name, id string) map[string]string {
	t.Helper()
	r := cl.rg.call("GET", "/api/v1/scenario-templates", nil, bearer(cl.token["teachA"])...)
	expect(t, r, 200, "")
	var list struct {
		Templates []struct {
			Name  string
			Files []struct{ Path, Text string }
		}
		Images []string
	}
	if err := json.Unmarshal([]byte(r.raw), &list); err != nil || len(list.Templates) != 3 || len(list.Images) != 3 {
		t.Fatalf("templates: %v %s", err, r.raw)
	}
	for _, tm := range list.Templates {
		if tm.Name != name {
			continue
		}
		out := map[string]string{}
		for _, f := range tm.Files {
			out[f.Path] = f.Text
		}
		if !strings.Contains(out["scenario.yaml"], "id: "+name+"\n") {
			t.Fatalf("template %s: %v", name, out)
		}
		out["scenario.yaml"] = strings.Replace(out["scenario.yaml"], "id: "+name+"\n", "id: "+id+"\n", 1)
		return out
	}
	t.Fatalf("no template %s", name)
	return nil
}

// An authored scenario as people meet it through the API: its author
// saves a draft from a template and launches it to preview; it cannot be
// published until a rehearsal of that exact version is green; once
// published the organisation's trainees see and launch it, and another
// organisation's do not (404); withdrawn, it takes no new launches and the
// labs already running from it run on.
func TestAuthoredLabsOverTheAPI(t *testing.T) {
	cl := classOn(t, newRangeWithLabs(t, fakeLabs()))
	ct := contractOf(t, cl.rg)
	cl.token["traineeB"], _ = cl.rg.userWithRole("traineeB@range.test", "trainee")
	cl.ok("traineeB", "POST", "/api/v1/cohorts/join", map[string]string{"code": cl.b["join_code"].(string)}, 200)
	send := func(who, method, path string, body any) reply {
		t.Helper()
		r := cl.rg.call(method, path, body, bearer(cl.token[who])...)
		var raw []byte
		if body != nil {
			raw, _ = json.Marshal(body)
		}
		ct.holds(t, method, path, raw, r)
		return r
	}
	base := "/api/v1/organisations/" + cl.orgA + "/authored-scenarios"

	files := templateFiles(t, cl, "one-host", "night-shift")
	expect(t, send("trainee", "GET", "/api/v1/scenario-templates", nil), 403, "forbidden")
	// Refusals keep nothing.
	expect(t, send("teachA", "POST", base+"/drafts", map[string]any{"files": map[string]string{}}), 400, "draft_files_required")
	expect(t, send("teachA", "POST", base+"/drafts", map[string]any{"files": map[string]string{"scenario.yaml": files["scenario.yaml"], "../escape": "x"}}),
		400, "draft_file_not_allowed")
	broken := edited(files, "    terminal: true\n", "    terminal: true\n    privileged: true\n")
	bad := send("teachA", "POST", base+"/drafts", map[string]any{"files": broken})
	expect(t, bad, 400, "scenario_invalid")
	if !strings.Contains(bad.raw, `"field":"hosts[0].privileged"`) {
		t.Fatalf("the refusal names the field: %s", bad.raw)
	}
	pulled := edited(files, "image: sakimori-lab/base:latest", "image: alpine:latest")
	notOurs := send("teachA", "POST", base+"/drafts", map[string]any{"files": pulled})
	expect(t, notOurs, 400, "image_not_on_range")
	if !strings.Contains(notOurs.raw, `"field":"hosts[0].image"`) {
		t.Fatalf("the refusal names the field: %s", notOurs.raw)
	}
	expect(t, send("teachB", "POST", base+"/drafts", map[string]any{"files": files}), 404, "organisation_not_found")
	if list := send("teachA", "GET", base, nil); strings.Contains(list.raw, "night-shift") {
		t.Fatalf("a refused draft was kept: %s", list.raw)
	}

	draft := send("teachA", "POST", base+"/drafts", map[string]any{"files": files})
	expect(t, draft, 201, "")
	id, digest, lab := draft.body["authored_id"].(string), draft.body["digest"].(string), draft.body["lab_scenario"].(string)
	if lab != "night-shift@"+digest || draft.body["live"] != false {
		t.Fatalf("draft: %s", draft.raw)
	}
	version := base + "/" + id + "/versions/" + digest
	opened := send("teachA", "GET", version+"/files", nil)
	expect(t, opened, 200, "")
	if !strings.HasPrefix(opened.raw, `{"files":[{"path":"scenario.yaml"`) || !strings.Contains(opened.raw, "id: night-shift") {
		t.Fatalf("files: %.200s", opened.raw)
	}

	// Unpublished, it is its author's alone.
	if r := send("trainee", "GET", "/api/v1/scenarios", nil); strings.Contains(r.raw, "night-shift") {
		t.Fatalf("a trainee lists a draft: %s", r.raw)
	}
	expect(t, send("trainee", "POST", "/api/v1/labs", map[string]string{"scenario": lab}), 404, "scenario_not_found")
	expect(t, send("trainee", "GET", "/api/v1/scenarios/"+lab, nil), 404, "scenario_not_found")
	expect(t, send("teachB", "GET", "/api/v1/scenarios/"+lab+"/notes", nil), 404, "scenario_not_found")
	expect(t, send("teachA", "GET", "/api/v1/scenarios/"+strings.Replace(lab, "@", "%40", 1), nil), 200, "")
	// The organisation's admin may edit it, so previews it too; another's may not.
	expect(t, send("adminA", "GET", "/api/v1/scenarios/"+strings.Replace(lab, "@", "%40", 1), nil), 200, "")
	expect(t, send("adminB", "GET", "/api/v1/scenarios/"+strings.Replace(lab, "@", "%40", 1), nil), 404, "scenario_not_found")
	preview := send("teachA", "POST", "/api/v1/labs", map[string]string{"scenario": lab})
	expect(t, preview, 202, "")
	if preview.body["scenario"] != lab {
		t.Fatalf("the preview lab names the version: %s", preview.raw)
	}

	expect(t, send("teachA", "POST", version+"/publish", nil), 409, "rehearsal_required")
	expect(t, send("teachA", "POST", version+"/rehearsals", nil), 503, "rehearsals_unavailable")
	cl.rg.authoring.UseRehearser(scriptedRehearsal{pass: true}, time.Minute)
	expect(t, send("teachA", "GET", version+"/rehearsal", nil), 404, "rehearsal_not_found")
	expect(t, send("teachB", "POST", version+"/rehearsals", nil), 404, "organisation_not_found")
	colleague(cl)
	expect(t, send("teachA2", "POST", version+"/rehearsals", nil), 403, "authoring_not_author")
	expect(t, send("teachA", "POST", version+"/rehearsals", nil), 202, "")
	var r reply
	for range 200 {
		r = send("teachA", "GET", version+"/rehearsal", nil)
		expect(t, r, 200, "")
		if r.body["state"] != "running" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r.body["state"] != "passed" || !strings.Contains(r.body["log"].(string), "PASS:") {
		t.Fatalf("rehearsal: %s", r.raw)
	}
	if rest := send("teachA", "GET", version+"/rehearsal?from=10", nil); rest.body["log"] != r.body["log"].(string)[10:] {
		t.Fatalf("the log from byte 10: %s", rest.raw)
	}

	published := send("teachA", "POST", version+"/publish", nil)
	expect(t, published, 200, "")
	if published.body["number"] != float64(1) || published.body["live"] != true {
		t.Fatalf("published: %s", published.raw)
	}
	// The organisation's admin follows it as its author does.
	expect(t, send("adminA", "GET", version+"/rehearsal", nil), 200, "")
	expect(t, send("teachA", "POST", version+"/publish", nil), 409, "version_published")

	listed := send("trainee", "GET", "/api/v1/scenarios", nil)
	if !strings.Contains(listed.raw, `"id":"`+lab+`"`) || !strings.Contains(listed.raw, `"authored":true`) {
		t.Fatalf("the organisation's trainee lists it: %s", listed.raw)
	}
	expect(t, send("trainee", "GET", "/api/v1/scenarios/"+strings.Replace(lab, "@", "%40", 1), nil), 200, "")
	running := send("trainee", "POST", "/api/v1/labs", map[string]string{"scenario": lab})
	expect(t, running, 202, "")
	if r := send("traineeB", "GET", "/api/v1/scenarios", nil); strings.Contains(r.raw, "night-shift") {
		t.Fatalf("another organisation's trainee lists it: %s", r.raw)
	}
	expect(t, send("traineeB", "POST", "/api/v1/labs", map[string]string{"scenario": lab}), 404, "scenario_not_found")

	expect(t, send("teachA", "POST", version+"/unpublish", nil), 200, "")
	expect(t, send("teachA", "POST", version+"/unpublish", nil), 409, "version_not_published")
	expect(t, send("trainee", "POST", "/api/v1/labs", map[string]string{"scenario": lab}), 404, "scenario_not_found")
	if r := send("trainee", "GET", "/api/v1/scenarios", nil); strings.Contains(r.raw, "night-shift") {
		t.Fatalf("a withdrawn version is listed: %s", r.raw)
	}
	still := send("trainee", "GET", "/api/v1/labs/"+running.body["id"].(string), nil)
	expect(t, still, 200, "")
	if still.body["scenario"] != lab || still.body["state"] == "stopped" {
		t.Fatalf("the running lab after the withdrawal: %s", still.raw)
	}
}

// The editor's check of a manifest shows, when it is valid, the page
// trainees will see.
func TestValidationPreviewsTheScenario(t *testing.T) {
	cl := newClass(t)
	files := templateFiles(t, cl, "web-app", "shop-breach")
	r := cl.rg.call("POST", "/api/v1/scenario-validate", files["scenario.yaml"], append(bearer(cl.token["teachA"]), "Content-Type", "application/yaml")...)
	expect(t, r, 200, "")
	preview, _ := r.body["preview"].(map[string]any)
	if r.body["valid"] != true || preview["id"] != "shop-breach" || preview["story"] == "" || len(preview["objectives"].([]any)) == 0 {
		t.Fatalf("preview: %s", r.raw)
	}
	r = cl.rg.call("POST", "/api/v1/scenario-validate", "id: x\n", append(bearer(cl.token["teachA"]), "Content-Type", "application/yaml")...)
	if r.body["valid"] != false || r.body["preview"] != nil {
		t.Fatalf("an invalid manifest has no preview: %s", r.raw)
	}
}

// A draft carries the files its hosts start with, text and encoded alike:
// opened again, an encoded file comes back byte for byte, so the editor
// saves it again unchanged; launched, the host holds the files, the
// expanded one with the lab's own flag, and solving it counts in progress
// and on the transcript. What a folder's files get wrong is
// refused at its field and keeps nothing.
func TestDraftsCarryTheirFiles(t *testing.T) {
	fake := fakeLabs()
	cl := classOn(t, newRangeWithLabs(t, fake))
	ct := contractOf(t, cl.rg)
	send := func(body map[string]any) reply {
		t.Helper()
		path := "/api/v1/organisations/" + cl.orgA + "/authored-scenarios/drafts"
		raw, _ := json.Marshal(body)
		r := cl.rg.call("POST", path, body, bearer(cl.token["teachA"])...)
		ct.holds(t, "POST", path, raw, r)
		return r
	}
	files := templateFiles(t, cl, "web-app", "intranet")
	if !strings.Contains(files["files/www/flag.txt"], "${var.flag}") {
		t.Fatalf("the web-app template's files: %v", files)
	}
	logo := []byte{0x89, 'P', 'N', 'G', 0, 0xff, 0xfe, 1, 2, 3}

	for _, c := range []struct {
		name        string
		body        map[string]any
		code, field string
	}{
		{"sent twice", map[string]any{"files": files, "encoded": map[string][]byte{"files/www/index.html": logo}}, "draft_file_twice", "encoded.files/www/index.html"},
		{"missing", map[string]any{"files": without(files, "files/www/flag.txt")}, "scenario_invalid", "hosts[1].files[1].source"},
		{"read-only root", map[string]any{"files": edited(files, "    writable_root: true\n", "")}, "scenario_invalid", "hosts[1].files"},
		{"over the cap", map[string]any{"files": files, "encoded": map[string][]byte{"files/big.bin": noise(1 << 20)}}, "scenario_invalid", "files"},
		{"not base64", map[string]any{"files": files, "encoded": map[string]string{"files/logo.png": "%%%"}}, "body_invalid", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := send(c.body)
			expect(t, r, 400, c.code)
			if c.field != "" && !strings.Contains(r.raw, `"field":"`+c.field+`"`) {
				t.Fatalf("the refusal names %s: %s", c.field, r.raw)
			}
		})
	}
	teach := func(method, path string, body any) reply {
		t.Helper()
		return cl.rg.call(method, path, body, bearer(cl.token["teachA"])...)
	}
	if list := teach("GET", "/api/v1/organisations/"+cl.orgA+"/authored-scenarios", nil); strings.Contains(list.raw, "intranet") {
		t.Fatalf("a refused draft was kept: %s", list.raw)
	}

	draft := send(map[string]any{"files": files, "encoded": map[string][]byte{"files/www/logo.png": logo}})
	expect(t, draft, 201, "")
	version := "/api/v1/organisations/" + cl.orgA + "/authored-scenarios/" + draft.body["authored_id"].(string) + "/versions/" + draft.body["digest"].(string)
	var opened struct {
		Files []struct {
			Path   string
			Text   string
			Binary bool
			Data   []byte
		}
	}
	if err := json.Unmarshal([]byte(teach("GET", version+"/files", nil).raw), &opened); err != nil {
		t.Fatal(err)
	}
	again := map[string]any{"files": map[string]string{}, "encoded": map[string][]byte{}}
	for _, f := range opened.Files {
		if f.Binary {
			again["encoded"].(map[string][]byte)[f.Path] = f.Data
		} else {
			again["files"].(map[string]string)[f.Path] = f.Text
		}
	}
	if got := again["encoded"].(map[string][]byte)["files/www/logo.png"]; string(got) != string(logo) {
		t.Fatalf("the encoded file came back as %v", got)
	}
	if same := send(again); same.body["digest"] != draft.body["digest"] {
		t.Fatalf("saving the opened files again made another version: %s", same.raw)
	}

	launched := teach("POST", "/api/v1/labs", map[string]string{"scenario": draft.body["lab_scenario"].(string)})
	expect(t, launched, 202, "")
	id := launched.body["id"].(string)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r := teach("GET", "/api/v1/labs/"+id, nil)
		if r.body["state"] == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the preview lab did not run: %s", r.raw)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sess, err := fake.Exec(ctx, id, "web", driver.ExecRequest{Command: []string{"cat", "/srv/www/flag.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	_ = sess.CloseWrite()
	out, _ := io.ReadAll(sess)
	if !regexp.MustCompile(`^FLAG\{[0-9a-z-]+\}\n$`).Match(out) {
		t.Fatalf("the web host's flag.txt holds %q", out)
	}

	// Solved, the authored version counts in progress and on the
	// transcript, as a built-in scenario does.
	solved := teach("POST", "/api/v1/labs/"+id+"/objectives/read-flag", map[string]string{"answer": strings.TrimSpace(string(out))})
	if solved.body["correct"] != true {
		t.Fatalf("the flag the host holds: %s", solved.raw)
	}
	progress := teach("GET", "/api/v1/me/progress", nil)
	if !strings.Contains(progress.raw, `"id":"`+draft.body["lab_scenario"].(string)+`","title":"Workstation and Web Application"`) ||
		!strings.Contains(progress.raw, `"completed":1`) || !strings.Contains(progress.raw, `{"id":"T1046","solved":1`) {
		t.Fatalf("progress: %s", progress.raw)
	}
	if transcript := teach("GET", "/api/v1/me/transcript", nil); !strings.Contains(transcript.raw, "T1046") {
		t.Fatalf("transcript: %.400s", transcript.raw)
	}
}

// without is files less one.
func without(files map[string]string, p string) map[string]string {
	out := maps.Clone(files)
	delete(out, p)
	return out
}

// noise is n bytes that do not compress, as a photo's do not.
func noise(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// An operator bounds what one authored scenario asks of the engine: hosts,
// and memory and cores over all its hosts (a host that sets none counts at
// the engine's default). Past a bound, a draft is refused at hosts and
// nothing is kept; at it, the draft is kept.
func TestAuthoredScenariosKeepWithinTheRangesBounds(t *testing.T) {
	cl := classOn(t, newRangeWithLabs(t, fakeLabs()))
	cl.rg.authoring.UseLabLimits(authoring.LabLimits{Hosts: 1, MemoryBytes: 64 << 20, CPUs: 0.25})
	drafts := "/api/v1/organisations/" + cl.orgA + "/authored-scenarios/drafts"
	files := templateFiles(t, cl, "one-host", "bounded")
	const resources = "resources: {memory: 64MiB, cpus: 0.25, pids: 128}"
	secondHost := "    " + resources + "\n  - {name: peer, image: sakimori-lab/base:latest, networks: [lab]}\n"
	for _, c := range []struct {
		name  string
		files map[string]string
		says  string
	}{
		{"a second host", edited(files, "    "+resources+"\n", secondHost), "2 hosts; this range allows an authored scenario 1"},
		{"more memory", edited(files, "memory: 64MiB", "memory: 65MiB"), "65 MiB of memory together"},
		{"memory left to the default", edited(files, "memory: 64MiB, ", ""), "256 MiB of memory together (256 MiB each where unset)"},
		{"more cores", edited(files, "cpus: 0.25", "cpus: 0.5"), "0.5 cores together"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := cl.rg.call("POST", drafts, map[string]any{"files": c.files}, bearer(cl.token["teachA"])...)
			expect(t, r, 400, "scenario_too_large")
			if !strings.Contains(r.raw, `"field":"hosts"`) || !strings.Contains(r.raw, c.says) {
				t.Fatalf("the refusal says %q at hosts: %s", c.says, r.raw)
			}
		})
	}
	if list := cl.rg.call("GET", "/api/v1/organisations/"+cl.orgA+"/authored-scenarios", nil, bearer(cl.token["teachA"])...); strings.Contains(list.raw, "bounded") {
		t.Fatalf("a refused draft was kept: %s", list.raw)
	}
	expect(t, cl.rg.call("POST", drafts, map[string]any{"files": files}, bearer(cl.token["teachA"])...), 201, "")
}
