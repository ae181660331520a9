package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/scoring"
)

// transcriptClass is a class on a range with the built-in catalogue: a
// Japanese trainee in cohort A with two solves and a wrong answer in
// Metadata Heist, and partner tokens for organisations A and B.
type transcriptClass struct {
	*class
	hanako, hanakoID string
	secret           map[string]string
}

func newTranscriptClass(t *testing.T, opts ...option) *transcriptClass {
	t.Helper()
	cl := &transcriptClass{class: classOn(t, newRangeWithLabs(t, fakeLabs(), opts...)), secret: map[string]string{}}
	ctx := context.Background()
	u, err := cl.rg.accounts.CreateUser(ctx, accounts.NewUser{Email: "hanako@range.test", DisplayName: "佐藤 花子", Password: "long enough password", Role: accounts.RoleTrainee})
	if err != nil {
		t.Fatal(err)
	}
	cl.hanakoID = u.ID
	r := cl.rg.call("POST", "/api/v1/auth/login", map[string]string{"email": "hanako@range.test", "password": "long enough password"})
	expect(t, r, 200, "")
	cl.hanako = r.body["access_token"].(string)
	expect(t, cl.rg.call("POST", "/api/v1/cohorts/join", map[string]string{"code": cl.a["join_code"].(string)}, bearer(cl.hanako)...), 200, "")
	at := time.Now().UTC().Add(time.Second)
	for i, e := range []scoring.Event{
		{ID: "rec-role-name", ObjectiveID: "role-name", Correct: true, Points: 100},
		{ID: "rec-wrong", ObjectiveID: "caller-identity", Correct: false},
		{ID: "rec-block-ssrf", ObjectiveID: "block-ssrf", Correct: true, Points: 150},
	} {
		e.Kind, e.TraineeID, e.InstanceID, e.ScenarioID, e.At = scoring.EventSubmission, u.ID, "lab-heist-1", "metadata-heist", at.Add(time.Duration(i)*time.Second)
		if err := cl.rg.db.Scoring().Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	issue := func(who, org string, scopes ...partners.Scope) string {
		return cl.ok(who, "POST", "/api/v1/organisations/"+org+"/partner-tokens", map[string]any{"name": "transcripts", "scopes": scopes,
			"expires_at": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}, 201)["secret"].(string)
	}
	cl.secret["A"] = issue("adminA", cl.orgA, partners.Scopes...)
	cl.secret["B"] = issue("admin", cl.orgB, partners.Scopes...)
	cl.secret["progress"] = issue("adminA", cl.orgA, partners.ReadProgress)
	return cl
}

func TestATraineeReadsTheirOwnTranscript(t *testing.T) {
	cl := newTranscriptClass(t)
	ct := contractOf(t, cl.rg)
	r := cl.rg.call("GET", "/api/v1/me/transcript", nil, bearer(cl.hanako)...)
	expect(t, r, 200, "")
	ct.repliesWithin(t, "GET", "/api/v1/me/transcript", r)
	for _, want := range []string{`"name":"佐藤 花子"`, `"id":"T1552.005"`, `"record_id":"rec-role-name"`, `"lab_id":"lab-heist-1"`,
		`"verified":"question"`, `"scenario_title":"Metadata Heist"`, `"id":"PD-WRL-003"`} {
		if !strings.Contains(r.raw, want) {
			t.Errorf("the transcript lacks %s: %s", want, r.raw)
		}
	}
	if strings.Contains(r.raw, "rec-wrong") {
		t.Error("a wrong answer is cited as evidence")
	}
	// Another trainee's transcript holds none of it.
	other := cl.rg.call("GET", "/api/v1/me/transcript", nil, bearer(cl.token["trainee"])...)
	expect(t, other, 200, "")
	if strings.Contains(other.raw, "rec-role-name") {
		t.Error("one trainee's evidence is in another's transcript")
	}
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t *testing.T, doc []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI, which installs it")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "t.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestTheTranscriptPDFCarriesTheJapaneseName(t *testing.T) {
	cl := newTranscriptClass(t)
	r := cl.rg.call("GET", "/api/v1/me/transcript/pdf?lang=ja", nil, bearer(cl.hanako)...)
	expect(t, r, 200, "")
	if r.header.Get("Content-Type") != "application/pdf" || !strings.Contains(r.header.Get("Content-Disposition"), "transcript-"+cl.hanakoID+".pdf") {
		t.Fatalf("headers %v", r.header)
	}
	text := pdfText(t, []byte(r.raw))
	for _, want := range []string{"佐藤 花子", "コンピテンシー証明書", "T1552.005", "PD-WRL-003 Incident Response", "rec-role-name"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
	expect(t, cl.rg.call("GET", "/api/v1/me/transcript/pdf?lang=fr", nil, bearer(cl.hanako)...), 400, "transcript_language_unsupported")
}

func TestTheAttackLayerOfATrainee(t *testing.T) {
	cl := newTranscriptClass(t)
	r := cl.rg.call("GET", "/api/v1/me/transcript/layer", nil, bearer(cl.hanako)...)
	expect(t, r, 200, "")
	contractOf(t, cl.rg).repliesWithin(t, "GET", "/api/v1/me/transcript/layer", r)
	versions, _ := r.body["versions"].(map[string]any)
	if r.body["domain"] != "enterprise-attack" || versions["layer"] != "4.5" || !strings.Contains(r.raw, `"techniqueID":"T1190"`) {
		t.Fatalf("layer %s", r.raw)
	}
	if !strings.Contains(r.header.Get("Content-Disposition"), "attack-layer-") {
		t.Errorf("not a download: %v", r.header)
	}
}

// Staff read the transcripts of their classes' trainees only.
func TestStaffReadTheirTraineesTranscripts(t *testing.T) {
	cl := newTranscriptClass(t)
	ct := contractOf(t, cl.rg)
	path := "/api/v1/trainees/" + cl.hanakoID + "/transcript"
	cl.rg.check(t, []apiCase{
		{name: "her instructor", method: "GET", url: path, token: cl.token["teachA"], status: 200, has: []string{"佐藤 花子", "rec-block-ssrf"}},
		{name: "a range admin", method: "GET", url: path, token: cl.token["admin"], status: 200, has: []string{"rec-role-name"}},
		{name: "another class's instructor", method: "GET", url: path, token: cl.token["teachB"], status: 404, code: "trainee_not_found"},
		{name: "a trainee", method: "GET", url: path, token: cl.token["trainee"], status: 403, code: "forbidden"},
		{name: "nobody", method: "GET", url: "/api/v1/trainees/nobody/transcript", token: cl.token["admin"], status: 404, code: "trainee_not_found"},
		{name: "signed out", method: "GET", url: path, status: 401},
		{name: "her layer", method: "GET", url: path + "/layer", token: cl.token["teachA"], status: 200, has: []string{`"techniqueID":"T1552.005"`}},
		{name: "another's layer", method: "GET", url: path + "/layer", token: cl.token["teachB"], status: 404, code: "trainee_not_found"},
		{name: "another's PDF", method: "GET", url: path + "/pdf", token: cl.token["teachB"], status: 404, code: "trainee_not_found"},
		{name: "PDF in no known language", method: "GET", url: path + "/pdf?lang=xx", token: cl.token["teachA"], status: 400, code: "transcript_language_unsupported"},
	})
	ct.repliesWithin(t, "GET", path, cl.rg.call("GET", path, nil, bearer(cl.token["teachA"])...))
	r := cl.rg.call("GET", path+"/pdf", nil, bearer(cl.token["teachA"])...)
	expect(t, r, 200, "")
	if text := pdfText(t, []byte(r.raw)); !strings.Contains(text, "佐藤 花子") || !strings.Contains(text, "Competency transcript") {
		t.Errorf("the instructor's PDF:\n%s", text)
	}
}

func TestCohortCompetenciesForItsManagers(t *testing.T) {
	cl := newTranscriptClass(t)
	a := "/api/v1/cohorts/" + cl.a["id"].(string)
	cl.rg.check(t, []apiCase{
		{name: "the instructor", method: "GET", url: a + "/competencies", token: cl.token["teachA"], status: 200,
			has: []string{`"name":"佐藤 花子"`, `"id":"T1552.005","name":"Unsecured Credentials: Cloud Instance Metadata API","trainees":1`, `"gaps":[`}},
		{name: "a member", method: "GET", url: a + "/competencies", token: cl.hanako, status: 403, code: "cohort_forbidden"},
		{name: "another organisation's instructor", method: "GET", url: a + "/competencies", token: cl.token["teachB"], status: 404, code: "cohort_not_found"},
		{name: "no such cohort", method: "GET", url: "/api/v1/cohorts/nope/competencies", token: cl.token["admin"], status: 404, code: "cohort_not_found"},
		{name: "the layer", method: "GET", url: a + "/competencies/layer", token: cl.token["teachA"], status: 200, has: []string{`"name":"Cloud IR A"`, `"score":1`}},
		{name: "the layer for a member", method: "GET", url: a + "/competencies/layer", token: cl.hanako, status: 403, code: "cohort_forbidden"},
		{name: "the archive for a member", method: "GET", url: a + "/archive", token: cl.hanako, status: 403, code: "cohort_forbidden"},
		{name: "the archive in no known language", method: "GET", url: a + "/archive?lang=xx", token: cl.token["teachA"], status: 400, code: "transcript_language_unsupported"},
	})
	ct := contractOf(t, cl.rg)
	ct.repliesWithin(t, "GET", a+"/competencies", cl.rg.call("GET", a+"/competencies", nil, bearer(cl.token["teachA"])...))
	ct.repliesWithin(t, "GET", a+"/competencies/layer", cl.rg.call("GET", a+"/competencies/layer", nil, bearer(cl.token["teachA"])...))
}

// unzip reads an archive's files by name.
func unzip(t *testing.T, raw string) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader([]byte(raw)), int64(len(raw)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func checkArchive(t *testing.T, cl *transcriptClass, r reply) {
	t.Helper()
	expect(t, r, 200, "")
	if r.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("content type %q", r.header.Get("Content-Type"))
	}
	files := unzip(t, r.raw)
	for _, name := range []string{"cohort.json", "members.json", "records.jsonl", "progress.json", "competencies.json", "attack-layer.json",
		"transcripts/" + cl.hanakoID + ".json", "transcripts/" + cl.hanakoID + ".pdf", "transcripts/" + cl.userID["trainee"] + ".json"} {
		if _, ok := files[name]; !ok {
			t.Errorf("the archive lacks %s", name)
		}
	}
	lines := strings.Split(strings.TrimSpace(string(files["records.jsonl"])), "\n")
	if len(lines) != 3 {
		t.Fatalf("records.jsonl has %d lines, want hanako's 3:\n%s", len(lines), files["records.jsonl"])
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil || rec["id"] != "rec-role-name" || rec["lab_id"] != "lab-heist-1" {
		t.Errorf("first record %s (%v)", lines[0], err)
	}
	if !strings.Contains(string(files["transcripts/"+cl.hanakoID+".json"]), "rec-block-ssrf") {
		t.Errorf("hanako's transcript: %s", files["transcripts/"+cl.hanakoID+".json"])
	}
	if !strings.Contains(string(files["progress.json"]), `"solved": 2`) {
		t.Errorf("progress: %s", files["progress.json"])
	}
	if text := pdfText(t, files["transcripts/"+cl.hanakoID+".pdf"]); !strings.Contains(text, "佐藤 花子") {
		t.Errorf("the archived PDF:\n%s", text)
	}
}

func TestACohortArchiveForItsInstructor(t *testing.T) {
	cl := newTranscriptClass(t)
	checkArchive(t, cl, cl.rg.call("GET", "/api/v1/cohorts/"+cl.a["id"].(string)+"/archive", nil, bearer(cl.token["teachA"])...))
}

// An archive takes longer to write than the server's write timeout (each
// trainee's PDF takes a while) and still arrives whole over a real
// connection: each write moves the deadline on.
func TestAnArchiveOutlivesTheWriteTimeout(t *testing.T) {
	cl := newTranscriptClass(t, withWriteTimeout(50*time.Millisecond))
	base := cl.rg.listen()
	req, _ := http.NewRequest("GET", base+"/api/v1/cohorts/"+cl.a["id"].(string)+"/archive", nil)
	req.Header.Set("Authorization", "Bearer "+cl.token["teachA"])
	checkArchive(t, cl, send(t, req))
}

func TestPartnersReadTranscriptsOfTheirOrganisation(t *testing.T) {
	cl := newTranscriptClass(t)
	ct := contractOf(t, cl.rg)
	tr := "/api/partner/v1/trainees/" + cl.hanakoID + "/transcript"
	a := "/api/partner/v1/cohorts/" + cl.a["id"].(string)
	cl.rg.check(t, []apiCase{
		{name: "A's token", method: "GET", url: tr, token: cl.secret["A"], status: 200, has: []string{"佐藤 花子", "rec-role-name", "lab-heist-1"}},
		{name: "read:progress alone", method: "GET", url: tr, token: cl.secret["progress"], status: 200},
		{name: "B's token", method: "GET", url: tr, token: cl.secret["B"], status: 404, code: "trainee_not_found"},
		{name: "B's token, PDF", method: "GET", url: tr + "/pdf", token: cl.secret["B"], status: 404, code: "trainee_not_found"},
		{name: "PDF in no known language", method: "GET", url: tr + "/pdf?lang=xx", token: cl.secret["A"], status: 400, code: "transcript_language_unsupported"},
		{name: "cohort competencies", method: "GET", url: a + "/competencies", token: cl.secret["A"], status: 200, has: []string{"佐藤 花子"}},
		{name: "cohort competencies, read:progress alone", method: "GET", url: a + "/competencies", token: cl.secret["progress"], status: 401, code: "partner_scope_missing"},
		{name: "cohort competencies, B", method: "GET", url: a + "/competencies", token: cl.secret["B"], status: 404, code: "cohort_not_found"},
		{name: "cohort layer", method: "GET", url: a + "/competencies/layer", token: cl.secret["A"], status: 200, has: []string{`"layer":"4.5"`}},
		{name: "archive, B", method: "GET", url: a + "/archive", token: cl.secret["B"], status: 404, code: "cohort_not_found"},
		{name: "archive, read:progress alone", method: "GET", url: a + "/archive", token: cl.secret["progress"], status: 401, code: "partner_scope_missing"},
		{name: "no token", method: "GET", url: tr, status: 401, code: "partner_token_missing"},
	})
	r := cl.rg.call("GET", tr, nil, bearer(cl.secret["A"])...)
	ct.repliesWithin(t, "GET", tr, r)
	again := cl.rg.call("GET", tr, nil, bearer(cl.secret["A"])...)
	if r.header.Get("ETag") == "" || again.header.Get("ETag") != r.header.Get("ETag") {
		t.Errorf("ETags %q and %q: the same evidence must keep its tag", r.header.Get("ETag"), again.header.Get("ETag"))
	}
	expect(t, cl.rg.call("GET", tr, nil, append(bearer(cl.secret["A"]), "If-None-Match", r.header.Get("ETag"))...), 304, "")
	ct.repliesWithin(t, "GET", a+"/competencies", cl.rg.call("GET", a+"/competencies", nil, bearer(cl.secret["A"])...))
	pdf := cl.rg.call("GET", tr+"/pdf", nil, bearer(cl.secret["A"])...)
	expect(t, pdf, 200, "")
	if text := pdfText(t, []byte(pdf.raw)); !strings.Contains(text, "佐藤 花子") {
		t.Errorf("the partner's PDF:\n%s", text)
	}
	checkArchive(t, cl, cl.rg.call("GET", a+"/archive", nil, bearer(cl.secret["A"])...))
}

// Staff reading a trainee's transcript, in any form, is recorded as a
// read of the trainee's records; a trainee reading their own is not; a
// cohort's archive downloaded is recorded against the cohort.
func TestTranscriptReadsByStaffAreAudited(t *testing.T) {
	cl := newTranscriptClass(t)
	path := "/api/v1/trainees/" + cl.hanakoID + "/transcript"
	for _, p := range []string{path, path + "/pdf", path + "/layer"} {
		expect(t, cl.rg.call("GET", p, nil, bearer(cl.token["teachA"])...), 200, "")
	}
	expect(t, cl.rg.call("GET", "/api/v1/me/transcript", nil, bearer(cl.hanako)...), 200, "")
	entries := auditEntries(t, cl.rg, cl.token["admin"], "action=trainee_record.view")
	views := map[string]bool{}
	for _, e := range entries {
		if e["actor_id"] != cl.userID["teachA"] || e["target_id"] != cl.hanakoID {
			t.Errorf("entry %v", e)
		}
		views[e["detail"].(map[string]any)["view"].(string)] = true
	}
	if len(entries) != 3 || !views["transcript"] || !views["transcript_pdf"] || !views["attack_layer"] {
		t.Fatalf("entries %v", entries)
	}
	expect(t, cl.rg.call("GET", "/api/v1/cohorts/"+cl.a["id"].(string)+"/archive", nil, bearer(cl.token["teachA"])...), 200, "")
	if e := onlyEntry(t, cl.rg, cl.token["admin"], "cohort.export"); e["target_id"] != cl.a["id"] || e["actor_id"] != cl.userID["teachA"] {
		t.Fatalf("cohort.export: %v", e)
	}
}
