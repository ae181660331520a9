package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/labs/driver"
	"github.com/sakimori/sakimori/store"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scenarios"
	"github.com/sakimori/sakimori/scoring"
)

// vcVerify runs the independent verifier in test/vc-verifier (Digital
// Bazaar's stack, and jose for JWTs) on one credential.
func vcVerify(t *testing.T, input map[string]any) (bool, string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the verifier in test/vc-verifier cannot run")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "test", "vc-verifier"))
	if err := installPeer(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("npm ci in test/vc-verifier: %v", err)
		}
		t.Skipf("npm ci in test/vc-verifier failed (no npm registry?): %v", err)
	}
	raw, _ := json.Marshal(input)
	cmd := exec.Command(node, "verify.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(raw)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	var res struct {
		Verified bool   `json:"verified"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("verifier output %q: %v (stderr %s)", out, err, stderr.String())
	}
	return res.Verified, res.Error
}

// badgeClass is the transcript class served on a loopback port that is
// also its public URL, so the verifier can fetch the issuer's documents.
type badgeClass struct {
	*transcriptClass
	base string
}

func newBadgeClass(t *testing.T) *badgeClass {
	t.Helper()
	// A copy of the catalogue in which only Metadata Heist's first objective
	// names NICE statements, two of Vulnerability Analysis's four, so that
	// completing the scenario shows half the role and the organisation's
	// threshold decides whether that earns its badge.
	plain := labsWith
	labsWith = func(t testing.TB, db *store.DB, d driver.Driver) *labs.Service {
		cat, err := labs.LoadCatalogue(statementsOnHeist(t))
		if err != nil {
			t.Fatal(err)
		}
		block := <-subnetBlock
		t.Cleanup(func() { subnetBlock <- block })
		pool, _ := labs.NewPool(block, 26)
		defaults := config.Defaults()
		svc, err := labs.NewService(db.Labs(), d, cat, pool, labs.Options{
			Capacity: defaults.LabCapacity, ProvisionTimeout: defaults.LabProvisionTimeout, ExtendBy: defaults.LabExtendBy,
			MaxExtensions: 1, FlagKey: testFlagKey, Now: time.Now, Logger: slog.New(slog.DiscardHandler),
			Recordings: db.Labs(), RecordingsDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Close(context.Background()) })
		return svc
	}
	t.Cleanup(func() { labsWith = plain })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cl := newTranscriptClass(t, withPublicURL(base))
	go func() { _ = cl.rg.app.Listener(ln) }()
	t.Cleanup(func() { _ = cl.rg.app.ShutdownWithTimeout(5 * time.Second) })
	return &badgeClass{transcriptClass: cl, base: base}
}

// statementsOnHeist is the bundled catalogue with NICE statements T1118
// and K0672 (Vulnerability Analysis) on Metadata Heist's first objective.
var niceLine = regexp.MustCompile(`(?m)^    nice: \[[^\]]*\]\n`)

func statementsOnHeist(t testing.TB) fs.FS {
	src := scenarios.Files()
	out := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(src, path)
		if strings.HasSuffix(path, "/scenario.yaml") {
			data = niceLine.ReplaceAll(data, nil)
		}
		if path == "metadata-heist/scenario.yaml" {
			old := "  - id: role-name\n    track: attack\n"
			if !bytes.Contains(data, []byte(old)) {
				t.Fatal("Metadata Heist's first objective has moved: update this test")
			}
			data = bytes.Replace(data, []byte(old), []byte(old+"    nice: [T1118, K0672]\n"), 1)
		}
		out[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// completeHeist records a solve of every objective of Metadata Heist but
// those in leave.
func (cl *badgeClass) completeHeist(t *testing.T, leave ...string) {
	cat, err := labs.LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	s, err := cat.Scenario("metadata-heist")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(10 * time.Second)
	for i, o := range s.Objectives {
		if o.ID == "role-name" || o.ID == "block-ssrf" || slices.Contains(leave, o.ID) {
			continue // solved in the transcript class already, or left for the test
		}
		e := scoring.Event{ID: "rec-all-" + o.ID, Kind: scoring.EventSubmission, TraineeID: cl.hanakoID, InstanceID: "lab-heist-2",
			ScenarioID: "metadata-heist", ObjectiveID: o.ID, Correct: true, Points: 10, At: at.Add(time.Duration(i) * time.Second)}
		if err := cl.rg.db.Scoring().Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func (cl *badgeClass) get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func badgesOf(t *testing.T, body map[string]any) (scenario, roles []map[string]any) {
	t.Helper()
	list, _ := body["badges"].([]any)
	for _, b := range list {
		m := b.(map[string]any)
		if m["kind"] == "scenario" {
			scenario = append(scenario, m)
		} else {
			roles = append(roles, m)
		}
	}
	return scenario, roles
}

// TestBadgesEarnedVerifyIndependentlyAndRevocationShows is the whole story:
// a trainee completes a scenario and passes their organisation's work-role
// threshold; the badges they get verify in Digital Bazaar's verifier in both
// forms, as does the status list; a revoked badge then fails there and on
// the public verification page.
func TestBadgesEarnedVerifyIndependentlyAndRevocationShows(t *testing.T) {
	cl := newBadgeClass(t)
	ct := contractOf(t, cl.rg)
	r := cl.rg.call("GET", "/api/v1/me/badges", nil, bearer(cl.hanako)...)
	expect(t, r, 200, "")
	if s, _ := badgesOf(t, r.body); len(s) != 0 {
		t.Fatalf("a badge for a scenario not completed: %s", r.raw)
	}

	cl.completeHeist(t)
	// Half of Vulnerability Analysis is shown: under the default 60% no role
	// badge; once the organisation's admin sets 50%, one.
	r = cl.rg.call("GET", "/api/v1/me/badges", nil, bearer(cl.hanako)...)
	if s, roles := badgesOf(t, r.body); len(s) != 1 || len(roles) != 0 {
		t.Fatalf("badges at the default threshold: %s", r.raw)
	}
	cl.ok("adminA", "PUT", "/api/v1/organisations/"+cl.orgA+"/badge-settings", map[string]int{"role_threshold": 50}, 200)
	r = cl.rg.call("GET", "/api/v1/me/badges", nil, bearer(cl.hanako)...)
	expect(t, r, 200, "")
	ct.repliesWithin(t, "GET", "/api/v1/me/badges", r)
	scenario, roles := badgesOf(t, r.body)
	if len(scenario) != 1 || scenario[0]["ref"] != "metadata-heist" || len(roles) != 1 || roles[0]["ref"] != "PD-WRL-007" {
		t.Fatalf("badges after completing Metadata Heist at threshold 50: %s", r.raw)
	}
	if !strings.Contains(r.raw, `"criteria":"Evidence, from objectives solved in the range, for at least 50%`) {
		t.Errorf("the role badge does not state the threshold it was earned at: %s", r.raw)
	}
	again := cl.rg.call("GET", "/api/v1/me/badges", nil, bearer(cl.hanako)...)
	if len(again.body["badges"].([]any)) != len(r.body["badges"].([]any)) {
		t.Fatal("asking again granted more badges")
	}
	if !strings.Contains(r.raw, `"framework":"MITRE ATT\u0026CK"`) && !strings.Contains(r.raw, `"framework":"MITRE ATT&CK"`) {
		t.Errorf("the scenario badge has no ATT&CK alignment: %s", r.raw)
	}

	for _, b := range []map[string]any{scenario[0], roles[0]} {
		status, cred := cl.get(t, b["credential_url"].(string))
		if status != 200 {
			t.Fatalf("credential: %d %s", status, cred)
		}
		var doc map[string]any
		if err := json.Unmarshal(cred, &doc); err != nil {
			t.Fatal(err)
		}
		if ok, msg := vcVerify(t, map[string]any{"credential": doc}); !ok {
			t.Errorf("%s badge refused by the independent verifier: %s", b["kind"], msg)
		}
		status, jwt := cl.get(t, b["jwt_url"].(string))
		if status != 200 {
			t.Fatalf("jwt: %d %s", status, jwt)
		}
		if ok, msg := vcVerify(t, map[string]any{"jwt": string(jwt)}); !ok {
			t.Errorf("%s badge JWT refused by the independent verifier: %s", b["kind"], msg)
		}
	}
	status, list := cl.get(t, cl.base+"/api/v1/badges/status/revocation")
	var listDoc map[string]any
	if status != 200 || json.Unmarshal(list, &listDoc) != nil {
		t.Fatalf("status list: %d %s", status, list)
	}
	if ok, msg := vcVerify(t, map[string]any{"credential": listDoc}); !ok {
		t.Errorf("the status list credential refused: %s", msg)
	}

	id := scenario[0]["id"].(string)
	r = cl.rg.call("GET", "/api/v1/badges/credentials/"+id+"/verification", nil)
	expect(t, r, 200, "")
	ct.repliesWithin(t, "GET", "/api/v1/badges/credentials/{id}/verification", r)
	if r.body["valid"] != true {
		t.Fatalf("verification before revocation: %s", r.raw)
	}

	expect(t, cl.rg.call("POST", "/api/v1/badges/credentials/"+id+"/revoke", nil, bearer(cl.token["adminA"])...), 403, "forbidden")
	r = cl.rg.call("POST", "/api/v1/badges/credentials/"+id+"/revoke", nil, bearer(cl.token["admin"])...)
	expect(t, r, 200, "")
	ct.repliesWithin(t, "POST", "/api/v1/badges/credentials/{id}/revoke", r)
	expect(t, cl.rg.call("POST", "/api/v1/badges/credentials/"+id+"/revoke", nil, bearer(cl.token["admin"])...), 409, "badge_already_revoked")
	audit := cl.rg.call("GET", "/api/v1/audit?action=badge.revoke", nil, bearer(cl.token["admin"])...)
	if !strings.Contains(audit.raw, id) {
		t.Errorf("the revocation is not in the audit log: %s", audit.raw)
	}
	_, cred := cl.get(t, scenario[0]["credential_url"].(string))
	var doc map[string]any
	_ = json.Unmarshal(cred, &doc)
	if ok, msg := vcVerify(t, map[string]any{"credential": doc}); ok || !strings.Contains(msg, "revoked") {
		t.Errorf("a revoked badge: verified=%v %s", ok, msg)
	}
	r = cl.rg.call("GET", "/api/v1/badges/credentials/"+id+"/verification", nil)
	if r.body["valid"] != false || r.body["revoked"] != true {
		t.Errorf("verification after revocation: %s", r.raw)
	}
	// The other badge is untouched.
	_, cred = cl.get(t, roles[0]["credential_url"].(string))
	_ = json.Unmarshal(cred, &doc)
	if ok, msg := vcVerify(t, map[string]any{"credential": doc}); !ok {
		t.Errorf("revoking one badge broke another: %s", msg)
	}
}

// A badge is granted when the solve that earns it is recorded: the trainee
// need not open their badges page for their backpack, or a verifier, to
// find it.
func TestBadgeGrantedByTheSolveThatEarnsIt(t *testing.T) {
	cl := newBadgeClass(t)
	cl.completeHeist(t, "intruder-address")
	ctx := context.Background()
	if held, err := cl.rg.db.Badges().AwardsOf(ctx, cl.hanakoID); err != nil || len(held) != 0 {
		t.Fatalf("badges before the last solve: %v, %v", held, err)
	}
	lab := runningLabOf(t, cl.rg, cl.hanako, "metadata-heist")
	r := cl.rg.call("POST", "/api/v1/labs/"+lab+"/objectives/intruder-address", map[string]string{"answer": "198.51.100.23"}, bearer(cl.hanako)...)
	if r.body["correct"] != true {
		t.Fatalf("the last solve: %s", r.raw)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		held, err := cl.rg.db.Badges().AwardsOf(ctx, cl.hanakoID)
		if err != nil {
			t.Fatal(err)
		}
		if len(held) == 1 && held[0].Achievement.Kind == "scenario" && held[0].Achievement.Ref == "metadata-heist" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("badges after completing Metadata Heist: %+v", held)
		}
	}
}

func TestBadgeRefusals(t *testing.T) {
	cl := newBadgeClass(t)
	cl.completeHeist(t)
	r := cl.rg.call("GET", "/api/v1/me/badges", nil, bearer(cl.hanako)...)
	expect(t, r, 200, "")
	scenario, _ := badgesOf(t, r.body)
	if len(scenario) != 1 {
		t.Fatalf("badges: %s", r.raw)
	}
	id := scenario[0]["id"].(string)
	settings := "/api/v1/organisations/" + cl.orgA + "/badge-settings"
	cl.ok("adminA", "PUT", settings, map[string]int{"role_threshold": 70}, 200)
	unknown := "0b7e1f52-6f0e-4d4c-9a43-5b0b8f0f4c11"
	cl.rg.check(t, []apiCase{
		{name: "another trainee's badge", method: "GET", url: "/api/v1/me/badges/" + id, token: cl.token["trainee"], status: 404, code: "badge_not_found"},
		{name: "own badge", method: "GET", url: "/api/v1/me/badges/" + id, token: cl.hanako, status: 200, has: []string{id}},
		{name: "unknown badge", method: "GET", url: "/api/v1/me/badges/" + unknown, token: cl.hanako, status: 404, code: "badge_not_found"},
		{name: "unknown credential", method: "GET", url: "/api/v1/badges/credentials/" + unknown, status: 404, code: "badge_not_found"},
		{name: "malformed credential id", method: "GET", url: "/api/v1/badges/credentials/x'1", status: 404, code: "badge_not_found"},
		{name: "issuer profile and controller", method: "GET", url: "/api/v1/badges/issuer", status: 200,
			has: []string{`"type":["Profile"]`, `"name":"Test range"`, `"assertionMethod":["` + cl.base + `/api/v1/badges/issuer/keys/`}},
		{name: "unknown key", method: "GET", url: "/api/v1/badges/issuer/keys/nope", status: 404, code: "badge_key_not_found"},
		{name: "revoke unknown", method: "POST", url: "/api/v1/badges/credentials/" + unknown + "/revoke", token: cl.token["admin"], status: 404, code: "badge_not_found"},
		{name: "revoke by a trainee", method: "POST", url: "/api/v1/badges/credentials/" + id + "/revoke", token: cl.hanako, status: 403, code: "forbidden"},
		{name: "threshold 0", method: "PUT", url: settings, body: map[string]int{"role_threshold": 0}, token: cl.token["adminA"], status: 400, code: "badge_threshold_out_of_range"},
		{name: "threshold 101", method: "PUT", url: settings, body: map[string]int{"role_threshold": 101}, token: cl.token["adminA"], status: 400, code: "badge_threshold_out_of_range"},
		{name: "threshold not a number", method: "PUT", url: settings, body: `{"role_threshold":"50"}`, token: cl.token["adminA"], status: 400, code: "field_type_invalid"},
		{name: "threshold of another organisation", method: "PUT", url: "/api/v1/organisations/" + cl.orgB + "/badge-settings", body: map[string]int{"role_threshold": 50}, token: cl.token["adminA"], status: 404, code: "organisation_not_found"},
		{name: "threshold by a teacher", method: "PUT", url: settings, body: map[string]int{"role_threshold": 50}, token: cl.token["teachA"], status: 403, code: "cohort_forbidden"},
		{name: "threshold unchanged", method: "GET", url: settings, token: cl.token["adminA"], status: 200, has: []string{`"role_threshold":70`}},
	})
	r = cl.rg.call("GET", "/api/v1/badges/credentials/"+id+"/verification", nil)
	if r.body["valid"] != true {
		t.Errorf("refused requests changed the badge: %s", r.raw)
	}
	audit := cl.rg.call("GET", "/api/v1/audit?action=badge_threshold.change", nil, bearer(cl.token["admin"])...)
	if n := strings.Count(audit.raw, `"role_threshold"`); n != 1 {
		t.Errorf("%d threshold changes recorded, want the one accepted: %s", n, audit.raw)
	}

	// An erased person's badges, which carry their name, are gone.
	expect(t, cl.rg.call("POST", "/api/v1/users/"+cl.hanakoID+"/erase", nil, bearer(cl.token["admin"])...), 200, "")
	for _, path := range []string{"", "/jwt", "/verification"} {
		expect(t, cl.rg.call("GET", "/api/v1/badges/credentials/"+id+path, nil), 404, "badge_not_found")
	}
}
