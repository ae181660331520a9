package server_test

import (
	"encoding/json"
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs/driver/drivertest"
	"github.com/sakimori/sakimori/server"
)

const ltiClientID = "sakimori-tool"

// lms is the independent LMS in test/lms-peer, and the range it launches.
type lms struct {
	t      *testing.T
	rg     *range_
	base   string // the range
	issuer string // the LMS
	admin  string
	labs   *drivertest.Fake
}

// ltiRange serves a range with the fake lab driver on a loopback port and
// starts an LMS that knows it as client ltiClientID.
func ltiRange(t *testing.T, peerEnv ...string) *lms {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	d := fakeLabs()
	// Refused launches count as failed sign-ins of the address; the tests
	// make more than a person would in a minute.
	rg := newRangeWithLabs(t, d, withPublicURL(base), func(deps *server.Deps, _ *accounts.Options) { deps.Options.LoginPerMinute = 1000 })
	go func() { _ = rg.app.Listener(ln) }()
	t.Cleanup(func() { _ = rg.app.ShutdownWithTimeout(5 * time.Second) })
	return &lms{t: t, rg: rg, base: base, issuer: startLMS(t, base, peerEnv...), admin: rg.setupAdmin(), labs: d}
}

// startLMS starts one LMS peer that knows the range at base.
func startLMS(t *testing.T, base string, env ...string) string {
	return nodePeer(t, "lms-peer", "peer.mjs", append([]string{"PEER_CLIENT_ID=" + ltiClientID, "PEER_TOOL_LOGIN=" + base + "/api/v1/lti/login",
		"PEER_TOOL_LAUNCH=" + base + "/api/v1/lti/launch", "PEER_TOOL_JWKS=" + base + "/api/v1/lti/jwks"}, env...)...)
}

// register makes an organisation (once) and registers the LMS at issuer
// in it, returning the platform's id.
func (m *lms) register(orgID, issuer string) string {
	m.t.Helper()
	p := m.rg.call("POST", "/api/v1/organisations/"+orgID+"/lti/platforms", map[string]any{
		"name": "Example LMS", "issuer": issuer, "client_id": ltiClientID, "deployment_ids": []string{"deployment-1"},
		"auth_url": issuer + "/authorize", "token_url": issuer + "/token", "jwks_url": issuer + "/jwks",
	}, bearer(m.admin)...)
	expect(m.t, p, 201, "")
	return p.body["id"].(string)
}

func (m *lms) organisation(slug string) string {
	m.t.Helper()
	o := m.rg.call("POST", "/api/v1/organisations", map[string]string{"name": "University " + slug, "slug": slug, "kind": "university"}, bearer(m.admin)...)
	expect(m.t, o, 201, "")
	return o.body["id"].(string)
}

var formField = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)
var formAction = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

// launchForm plays a person's browser up to the LMS's auto-posting form:
// the LMS's launch link, the range's login initiation, the LMS's
// authorization. forge asks the LMS for a token the range must refuse.
func (m *lms) launchForm(b *browser, issuer, query, forge string) (action string, fields url.Values) {
	m.t.Helper()
	b.holdAt = "/authorize"
	b.held = nil
	b.get(issuer + "/launch?" + query)
	if b.held == nil {
		m.t.Fatalf("the launch did not reach the LMS's authorization endpoint")
	}
	auth := b.held.String()
	if forge != "" {
		auth += "&forge=" + forge
	}
	b.holdAt = ""
	resp, err := b.client.Get(auth)
	if err != nil {
		m.t.Fatal(err)
	}
	page := decode(resp)
	if page.status != 200 {
		m.t.Fatalf("authorization: %d %s", page.status, page.raw)
	}
	fields = url.Values{}
	for _, f := range formField.FindAllStringSubmatch(page.raw, -1) {
		fields.Set(f[1], html.UnescapeString(f[2]))
	}
	a := formAction.FindStringSubmatch(page.raw)
	if a == nil || fields.Get("id_token") == "" || fields.Get("state") == "" {
		m.t.Fatalf("no launch form: %s", page.raw)
	}
	return a[1], fields
}

// post submits the form as the browser; it returns the page landed on,
// without following a redirect away from the range.
func (m *lms) post(b *browser, action string, fields url.Values) *http.Response {
	m.t.Helper()
	b.holdAt = "/lti/landed"
	b.held = nil
	resp, err := b.client.PostForm(action, fields)
	if err != nil {
		m.t.Fatal(err)
	}
	return resp
}

// landed is the page a launch sent the browser on to: the app's landing
// page carries it in its fragment. Nil if the launch landed nowhere.
func landed(b *browser) *url.URL {
	if b.held == nil || b.held.Path != "/lti/landed" {
		return nil
	}
	to, err := url.ParseQuery(b.held.Fragment)
	if err != nil {
		return nil
	}
	u, err := url.Parse(to.Get("to"))
	if err != nil {
		return nil
	}
	return u
}

func (m *lms) inspect(issuer string) map[string]any {
	m.t.Helper()
	resp, err := http.Get(issuer + "/inspect")
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		m.t.Fatal(err)
	}
	return out
}

// The whole story against an LMS that is not ours: an admin registers
// it; its instructor opens the range from the course and picks an
// assignment by Deep Linking (the LMS makes the link and its line item);
// a learner launches the link and lands in the course's cohort; she
// solves; her grade appears in the LMS's gradebook, once.
func TestLTIStoryAtThePeerLMS(t *testing.T) {
	m := ltiRange(t)
	orgID := m.organisation("lms-u")
	pid := m.register(orgID, m.issuer)

	// The instructor's deep linking launch binds the course to a new cohort.
	carol := newBrowser(t, m.base)
	action, fields := m.launchForm(carol, m.issuer, "user=carol&kind=deeplink", "")
	resp := m.post(carol, action, fields)
	picker := landed(carol)
	if picker == nil || picker.Path != "/lti/deep-link" {
		t.Fatalf("the instructor landed on %d %s, not the picker: %s", resp.StatusCode, resp.Request.URL, decode(resp).raw)
	}
	cohortID := picker.Query().Get("cohort")
	ticket := strings.TrimPrefix(picker.Fragment, "ticket=")
	s := carol.session()
	expect(t, s, 200, "")
	carolToken := s.body["access_token"].(string)
	if u := s.body["user"].(map[string]any); u["email"] != "carol@lms.example.ac.jp" || u["role"] != "instructor" {
		t.Fatalf("carol: %v", u)
	}
	if role := orgRoleOf(t, m.rg, m.admin, orgID, "carol@lms.example.ac.jp"); role != "instructor" {
		t.Fatalf("carol's role in the organisation: %q", role)
	}

	// The course's roster comes over NRPS: its learners are in the cohort
	// before they first launch.
	roster := m.rg.call("POST", "/api/v1/lti/platforms/"+pid+"/roster", nil, bearer(m.admin)...)
	expect(t, roster, 200, "")
	if roster.body["courses"] != float64(1) || roster.body["enrolled"] != float64(3) {
		t.Fatalf("roster sync: %s", roster.raw)
	}
	members := m.rg.call("GET", "/api/v1/cohorts/"+cohortID+"/members", nil, bearer(carolToken)...)
	if !strings.Contains(members.raw, "bob@lms.example.ac.jp") || !strings.Contains(members.raw, "alice@lms.example.ac.jp") {
		t.Fatalf("the cohort after the roster sync: %s", members.raw)
	}
	before := countUsers(t, m.rg, m.admin)
	expect(t, m.rg.call("POST", "/api/v1/lti/platforms/"+pid+"/roster", nil, bearer(m.admin)...), 200, "")
	if countUsers(t, m.rg, m.admin) != before {
		t.Fatal("a second roster sync made accounts")
	}

	made := m.rg.call("POST", "/api/v1/cohorts/"+cohortID+"/assignments", map[string]any{"title": "Orientation", "scenarios": []string{"orientation"},
		"tracks": "attack", "opens_at": "2026-01-05T09:00:00Z", "due_at": "2099-01-12T09:00:00Z", "late_policy": "accept"}, bearer(carolToken)...)
	expect(t, made, 201, "")
	assignmentID := made.body["id"].(string)

	reply := m.rg.call("POST", "/api/v1/lti/deep-link", map[string]string{"ticket": ticket, "assignment_id": assignmentID}, bearer(carolToken)...)
	expect(t, reply, 200, "")
	// The app posts the reply to the range's carrying page, which posts it on.
	carry, err := http.PostForm(m.base+"/api/v1/lti/deep-link/reply", url.Values{"return_url": {reply.body["return_url"].(string)}, "jwt": {reply.body["jwt"].(string)}})
	if err != nil {
		t.Fatal(err)
	}
	page := decode(carry)
	if a := formAction.FindStringSubmatch(page.raw); page.status != 200 || a == nil || html.UnescapeString(a[1]) != reply.body["return_url"] ||
		!strings.Contains(carry.Header.Get("Content-Security-Policy"), "form-action "+m.issuer) {
		t.Fatalf("the carrying page: %d %s", page.status, page.raw)
	}
	forged := reply.body["jwt"].(string)[:len(reply.body["jwt"].(string))-6] + "AAAAAA"
	notOurs, err := http.PostForm(m.base+"/api/v1/lti/deep-link/reply", url.Values{"return_url": {reply.body["return_url"].(string)}, "jwt": {forged}})
	if err != nil {
		t.Fatal(err)
	}
	expect(t, decode(notOurs), 400, "lti_not_deep_linking")
	back, err := http.PostForm(reply.body["return_url"].(string), url.Values{"JWT": {reply.body["jwt"].(string)}})
	if err != nil {
		t.Fatal(err)
	}
	if r := decode(back); r.status != 200 {
		t.Fatalf("the LMS refused the deep-link reply: %d %s", r.status, r.raw)
	}
	again := m.rg.call("POST", "/api/v1/lti/deep-link", map[string]string{"ticket": ticket, "assignment_id": assignmentID}, bearer(carolToken)...)
	expect(t, again, 400, "lti_not_deep_linking")

	state := m.inspect(m.issuer)
	links := state["links"].([]any)
	items := state["line_items"].([]any)
	if len(links) != 1 || len(items) != 1 || items[0].(map[string]any)["label"] != "Orientation" {
		t.Fatalf("the LMS after the deep link: %v", state)
	}
	link := links[0].(map[string]any)

	// The learner launches the link and lands in the cohort, on the assignment.
	alice := newBrowser(t, m.base)
	action, fields = m.launchForm(alice, m.issuer, "user=alice&link="+link["id"].(string), "")
	m.post(alice, action, fields).Body.Close()
	if p := landed(alice); p == nil || p.Path != "/" {
		t.Fatalf("alice landed on %v, not her home page", p)
	}
	s = alice.session()
	expect(t, s, 200, "")
	aliceToken := s.body["access_token"].(string)
	if u := s.body["user"].(map[string]any); u["role"] != "trainee" {
		t.Fatalf("alice: %v", u)
	}
	mine := m.rg.call("GET", "/api/v1/me/assignments", nil, bearer(aliceToken)...)
	if !strings.Contains(mine.raw, assignmentID) {
		t.Fatalf("alice's assignments: %s", mine.raw)
	}
	if countUsers(t, m.rg, m.admin) != before {
		t.Fatal("alice's launch made a second account beside the one her roster entry made")
	}
	// A second launch is the same account.
	action, fields = m.launchForm(newBrowser(t, m.base), m.issuer, "user=alice&link="+link["id"].(string), "")
	second := newBrowser(t, m.base)
	m.post(second, action, fields).Body.Close()
	if id := second.session().body["user"].(map[string]any)["id"]; id != s.body["user"].(map[string]any)["id"] {
		t.Fatalf("a second launch made account %v", id)
	}

	nothing := m.rg.call("POST", "/api/v1/lti/platforms/"+pid+"/grades", nil, bearer(m.admin)...)
	expect(t, nothing, 200, "")

	// She solves; her grade reaches the LMS.
	d := m.labs
	lab := runningLab(t, m.rg, aliceToken)
	r := m.rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": flagIn(t, d, lab)}, bearer(aliceToken)...)
	if r.body["correct"] != true {
		t.Fatalf("solve: %s", r.raw)
	}
	// The solve itself sends the grade: nobody asks, and the round is an
	// hour away.
	var score map[string]any
	for deadline := time.Now().Add(20 * time.Second); score == nil; time.Sleep(50 * time.Millisecond) {
		scores := m.inspect(m.issuer)["line_items"].([]any)[0].(map[string]any)["scores"].(map[string]any)
		score, _ = scores["lms-user-alice"].(map[string]any)
		if score == nil && time.Now().After(deadline) {
			t.Fatalf("the solve's grade never reached the LMS's gradebook: %v", scores)
		}
	}
	if score["scoreGiven"] != float64(100) || score["scoreMaximum"] != float64(100) ||
		score["activityProgress"] != "Completed" || score["gradingProgress"] != "FullyGraded" {
		t.Fatalf("the LMS's gradebook: %v", score)
	}
	unchanged := m.rg.call("POST", "/api/v1/lti/platforms/"+pid+"/grades", nil, bearer(m.admin)...)
	if unchanged.body["sent"] != float64(0) {
		t.Fatalf("an unchanged grade was sent again: %s", unchanged.raw)
	}
}
