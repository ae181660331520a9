package idp

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/sim/labkit"
)

// Without a valid SSWS token every admin path answers Okta's 401, and the
// attempt is logged; a user's token that is not an admin's gets 403.
func TestTheAdminAPIWantsAnAdminsToken(t *testing.T) {
	l := newLab(t)
	paths := []struct{ method, path string }{
		{"GET", "/api/v1/users"}, {"GET", "/api/v1/users/mia@acme.example/sessions"}, {"DELETE", "/api/v1/users/mia@acme.example/sessions"},
		{"DELETE", "/api/v1/sessions/" + ExternalID(miaSession)}, {"GET", "/api/v1/policies/session"}, {"POST", "/api/v1/policies/session"}, {"GET", "/api/v1/logs"},
	}
	for _, p := range paths {
		for _, header := range []string{"", "SSWS ", "SSWS wrong", "Bearer " + adminToken, "ssws " + adminToken} {
			req, _ := http.NewRequest(p.method, l.hs.URL+p.path, strings.NewReader(`{"bindToDevice": true}`))
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var e map[string]any
			_ = decodeBody(resp, &e)
			if resp.StatusCode != http.StatusUnauthorized || e["errorCode"] != "E0000011" || e["errorSummary"] != "Invalid token provided" ||
				!strings.HasPrefix(str(e["errorId"]), "oae") {
				t.Errorf("%s %s with %q: %d %v", p.method, p.path, header, resp.StatusCode, e)
			}
		}
		status, data := l.api(p.method, p.path, userToken, `{"bindToDevice": true}`)
		if e := decode[map[string]any](t, data); status != http.StatusForbidden || e["errorCode"] != "E0000006" {
			t.Errorf("%s %s with a user's token: %d %s", p.method, p.path, status, data)
		}
	}
	if l.openSessions("mia@acme.example") != 1 || l.s.policy.BindToDevice {
		t.Fatal("a refused call changed something")
	}
	failed := 0
	for _, e := range l.events("system.api_token.use") {
		if e.Outcome.Result == ResultFailure {
			failed++
		}
	}
	if failed != len(paths)*6 {
		t.Fatalf("%d refused calls logged, want %d", failed, len(paths)*6)
	}
}

func TestAdminAPIReadsAndRefusals(t *testing.T) {
	l := newLab(t)
	status, data := l.api("GET", "/api/v1/users", adminToken, "")
	users := decode[[]map[string]any](t, data)
	if status != 200 || len(users) != 2 || users[0]["profile"].(map[string]any)["login"] != "ken@acme.example" ||
		!regexp.MustCompile(`^00u[0-9A-Za-z]{17}$`).MatchString(str(users[0]["id"])) || users[1]["lastLogin"] == nil {
		t.Fatalf("users: %d %s", status, data)
	}
	for _, tc := range []struct{ method, path, body, code string }{
		{"POST", "/api/v1/policies/session", `{"bindToDevices": true}`, "E0000003"},
		{"POST", "/api/v1/policies/session", `not json`, "E0000003"},
		{"POST", "/api/v1/policies/session", `{}`, "E0000001"},
		{"GET", "/api/v1/groups", "", "E0000007"},
		{"GET", "/api/v1/logs?since=yesterday", "", "E0000031"},
		{"GET", "/api/v1/logs?filter=" + url.QueryEscape(`eventType sw "user"`), "", "E0000031"},
	} {
		status, data := l.api(tc.method, tc.path, adminToken, tc.body)
		if e := decode[map[string]any](t, data); status < 400 || e["errorCode"] != tc.code {
			t.Errorf("%s %s %s: %d %s", tc.method, tc.path, tc.body, status, data)
		}
	}
	if l.s.policy.BindToDevice {
		t.Fatal("a refused body turned binding on")
	}
}

// The System Log API answers a JSON array, filtered and paged as Okta's.
func TestSystemLogAPI(t *testing.T) {
	l := newLab(t)
	thief := l.browser(intruder, intruderUA)
	thief.plant(miaSession)
	thief.get("/app/UserHome")
	thief.get("/app/UserHome")
	q := url.Values{"filter": {`eventType eq "user.session.access" and client.ipAddress eq "` + intruderIP + `"`}}
	_, data := l.api("GET", "/api/v1/logs?"+q.Encode(), adminToken, "")
	if got := decode[[]Event](t, data); len(got) != 2 || got[0].AuthenticationContext.ExternalSessionID != ExternalID(miaSession) {
		t.Fatalf("filtered: %s", data)
	}
	req, _ := http.NewRequest("GET", l.hs.URL+"/api/v1/logs?limit=1&since="+l.started, nil)
	req.Header.Set("Authorization", "SSWS "+adminToken)
	var seen []string
	for range 10 {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page []Event
		_ = decodeBody(resp, &page)
		if len(page) == 0 {
			break
		}
		seen = append(seen, page[0].EventType)
		next := regexp.MustCompile(`<([^>]+)>; rel="next"`).FindStringSubmatch(resp.Header.Get("Link"))
		if next == nil {
			t.Fatalf("no next link: %q", resp.Header.Get("Link"))
		}
		req, _ = http.NewRequest("GET", next[1], nil)
		req.Header.Set("Authorization", "SSWS "+adminToken)
	}
	// Reading the log is not logged: it holds the two accesses alone.
	if strings.Join(seen, " ") != "user.session.access user.session.access" {
		t.Fatalf("paged through %v", seen)
	}
	_, data = l.api("GET", "/api/v1/logs?since=2999-01-01T00:00:00Z", adminToken, "")
	if strings.TrimSpace(string(data)) != "[]" {
		t.Fatalf("events from the future: %s", data)
	}
	_, data = l.api("GET", "/api/v1/logs?sortOrder=DESCENDING&limit=1&q=MIA+"+url.QueryEscape("Firefox/128"), adminToken, "")
	if got := decode[[]Event](t, data); len(got) != 1 || got[0].Client.IPAddress != intruderIP {
		t.Fatalf("newest matching: %s", data)
	}
}

// The platform's channel wants the lab's simulator key, and serves the
// System Log one JSON object a line in Okta's field names.
func TestPlatformChannel(t *testing.T) {
	l := newLab(t)
	thief := l.browser(intruder, intruderUA)
	thief.plant(miaSession)
	thief.get("/oauth2/v1/authorize?" + url.Values{"client_id": {wikiID}, "redirect_uri": {wikiBack}, "response_type": {"code"}, "scope": {"openid"}}.Encode())
	for _, key := range []string{"", "wrong", "SIM-KEY"} {
		req, _ := http.NewRequest("GET", l.hs.URL+"/_sim/events", nil)
		if key != "" {
			req.Header.Set(labkit.SimKeyHeader, key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("key %q: %d", key, resp.StatusCode)
		}
	}
	resp, err := labkit.PlatformGet(http.DefaultClient, l.hs.URL+"/_sim/events", "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("content type %q", ct)
	}
	published := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	var sso map[string]any
	sc := bufio.NewScanner(resp.Body)
	lines := 0
	for sc.Scan() {
		lines++
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if !published.MatchString(str(e["published"])) || str(e["uuid"]) == "" {
			t.Errorf("stamped %v, %v", e["published"], e["uuid"])
		}
		if e["eventType"] == "user.authentication.sso" {
			sso = e
		}
	}
	if lines != len(l.s.Events()) || sso == nil {
		t.Fatalf("%d lines for %d events, sso %v", lines, len(l.s.Events()), sso)
	}
	for path, want := range map[string]any{
		"actor.type": "User", "actor.alternateId": "mia@acme.example", "actor.displayName": "Mia Lee",
		"client.ipAddress": intruderIP, "client.userAgent.rawUserAgent": intruderUA, "client.userAgent.browser": "FIREFOX",
		"client.userAgent.os": "Linux", "authenticationContext.externalSessionId": ExternalID(miaSession), "outcome.result": "SUCCESS",
		"debugContext.debugData.requestUri": "/oauth2/v1/authorize", "severity": "INFO", "displayMessage": "User single sign on to app",
	} {
		if got := field(sso, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if target, _ := sso["target"].([]any); len(target) != 1 || field(target[0].(map[string]any), "type") != "AppInstance" {
		t.Errorf("target %v", sso["target"])
	}
	resp2, err := labkit.PlatformGet(http.DefaultClient, l.hs.URL+"/_sim/state", "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	var state struct {
		Policy   Policy           `json:"policy"`
		Sessions []map[string]any `json:"sessions"`
	}
	_ = decodeBody(resp2, &state)
	if len(state.Sessions) != 2 || state.Policy.BindToDevice {
		t.Fatalf("state %+v", state)
	}
}

// An IdP started without a key keeps its channel shut, even to a request
// that sends an empty key.
func TestPlatformChannelShutWithoutAKey(t *testing.T) {
	w, _ := ParseWorld(testWorld)
	s, err := New(w, "")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/_sim/events", nil)
	req.Header.Set(labkit.SimKeyHeader, "")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("%d", rec.Code)
	}
}

// A browser's own cookie reads its session and user at Okta's /me paths;
// without one, Okta's errors. An admin reads one user by id or login, and
// may set the session policy with PUT as with POST.
func TestMePathsAndOneUser(t *testing.T) {
	l := newLab(t)
	b := l.browser(laptopAddr, laptopUA)
	if resp, body := b.get("/api/v1/sessions/me"); resp.StatusCode != 404 || !strings.Contains(body, "E0000007") {
		t.Errorf("no session: %d %s", resp.StatusCode, body)
	}
	if resp, body := b.get("/api/v1/users/me"); resp.StatusCode != 403 || !strings.Contains(body, "E0000005") {
		t.Errorf("no session, users/me: %d %s", resp.StatusCode, body)
	}
	b.plant(miaSession)
	resp, body := b.get("/api/v1/sessions/me")
	me := decode[map[string]any](t, []byte(body))
	if resp.StatusCode != 200 || me["id"] != ExternalID(miaSession) || me["login"] != "mia@acme.example" || me["ip"] != laptopShown {
		t.Errorf("sessions/me: %d %s", resp.StatusCode, body)
	}
	resp, body = b.get("/api/v1/users/me")
	if user := decode[map[string]any](t, []byte(body)); resp.StatusCode != 200 || user["profile"].(map[string]any)["login"] != "mia@acme.example" {
		t.Errorf("users/me: %d %s", resp.StatusCode, body)
	}
	status, data := l.api("GET", "/api/v1/users/ken@acme.example", adminToken, "")
	user := decode[map[string]any](t, data)
	if status != 200 || user["id"] != l.s.user("ken@acme.example").ID {
		t.Errorf("one user: %d %s", status, data)
	}
	if status, data := l.api("GET", "/api/v1/users/"+user["id"].(string), adminToken, ""); status != 200 || !strings.Contains(string(data), "ken@acme.example") {
		t.Errorf("by id: %d %s", status, data)
	}
	if status, data := l.api("GET", "/api/v1/users/nobody@acme.example", adminToken, ""); status != 404 || !strings.Contains(string(data), "E0000007") {
		t.Errorf("no such user: %d %s", status, data)
	}
	if status, _ := l.api("PUT", "/api/v1/policies/session", adminToken, `{"bindToDevice": true}`); status != 200 || !l.s.policy.BindToDevice {
		t.Errorf("PUT policy: %d, bound %t", status, l.s.policy.BindToDevice)
	}
}

// Sessions a story opened before the lab are signed in to in the log, at
// the time they were made, from where, with MFA where they had it.
func TestPlantedSessionsHaveTheirSignIns(t *testing.T) {
	l := newLab(t)
	var before []Event
	for _, e := range l.s.Events() {
		if e.Published < l.started {
			before = append(before, e)
		}
	}
	if len(before) != 3 || before[0].EventType != "user.authentication.auth_via_mfa" || before[1].EventType != "user.session.start" ||
		before[1].AuthenticationContext.ExternalSessionID != ExternalID(kenSession) || before[2].AuthenticationContext.ExternalSessionID != ExternalID(miaSession) ||
		before[1].Client.IPAddress != laptopShown || before[0].Published != before[1].Published || before[1].Published >= before[2].Published {
		t.Fatalf("the log before the lab: %+v", before)
	}
}

// The log and the admin API name sessions by an id of their own: an
// admin reading them learns no cookie to replay.
func TestNoCookieInTheLogOrTheAPI(t *testing.T) {
	l := newLab(t)
	b := l.browser(laptopAddr, laptopUA)
	b.plant(miaSession)
	b.get("/app/UserHome")
	_, logs := l.api("GET", "/api/v1/logs?limit=1000", adminToken, "")
	_, sessions := l.api("GET", "/api/v1/users/mia@acme.example/sessions", adminToken, "")
	for what, data := range map[string][]byte{"the log": logs, "the sessions": sessions} {
		if strings.Contains(string(data), miaSession) || strings.Contains(string(data), kenSession) || !strings.Contains(string(data), ExternalID(miaSession)) {
			t.Errorf("%s: %s", what, data)
		}
	}
	if !strings.HasPrefix(ExternalID(miaSession), "trs") || ExternalID(miaSession) == ExternalID(kenSession) {
		t.Error("external ids are not Okta's shape, or not one per session")
	}
}
