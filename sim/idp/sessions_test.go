package idp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sessionView is a session as the admin API lists it.
type sessionView struct {
	ID, IP, UserAgent, LastSeenIP string
	LastSeenAt                    string
}

func (l *lab) sessionsOf(login string) []sessionView {
	l.t.Helper()
	status, data := l.api("GET", "/api/v1/users/"+login+"/sessions", adminToken, "")
	if status != http.StatusOK {
		l.t.Fatalf("sessions of %s: %d %s", login, status, data)
	}
	var out []sessionView
	for _, r := range decode[[]map[string]any](l.t, data) {
		out = append(out, sessionView{ID: str(r["id"]), IP: str(r["ip"]), UserAgent: str(r["userAgent"]),
			LastSeenIP: str(r["lastSeenIp"]), LastSeenAt: str(r["lastSeenAt"])})
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

// accessFrom is the addresses a session's user.session.access events
// came from, in order.
func (l *lab) accessFrom(id string) []string {
	var ips []string
	for _, e := range l.events("user.session.access") {
		if e.AuthenticationContext.ExternalSessionID == ExternalID(id) && e.Outcome.Result == ResultSuccess {
			ips = append(ips, e.Client.IPAddress)
		}
	}
	return ips
}

// The story of the labs: Mia's session cookie, stolen off her laptop,
// works from the intruder's host too, in the intruder's own browser, and
// signs the intruder into the wiki; the log shows one session used from
// two addresses. Once a defender turns on session binding, the cookie
// from elsewhere is refused and the session ends.
func TestAStolenSessionCookieWorksUntilBindingIsOn(t *testing.T) {
	l := newLab(t)
	laptop := l.browser(laptopAddr, laptopUA)
	laptop.plant(miaSession)
	thief := l.browser(intruder, intruderUA)
	thief.plant(miaSession)
	for _, b := range []*browser{laptop, thief} {
		if resp, body := b.get("/app/UserHome"); resp.Request.URL.Path != "/app/UserHome" || !strings.Contains(body, "Mia Lee") {
			t.Fatalf("the cookie does not work: %s", resp.Request.URL)
		}
	}
	if ips := l.accessFrom(miaSession); strings.Join(ips, " ") != laptopShown+" "+intruderIP {
		t.Fatalf("session used from %v", ips)
	}
	resp, _ := thief.get("/oauth2/v1/authorize?" + url.Values{"client_id": {wikiID}, "redirect_uri": {wikiBack},
		"response_type": {"code"}, "scope": {"openid"}, "state": {"x"}}.Encode())
	if code, _ := callback(t, resp); code == "" {
		t.Fatal("no code for the thief")
	}
	if sso := l.events("user.authentication.sso"); len(sso) != 1 || sso[0].Client.IPAddress != intruderIP ||
		sso[0].Client.UserAgent.Browser != "FIREFOX" || sso[0].Target[0].AlternateID != "Acme Wiki" || sso[0].Target[0].Type != "AppInstance" {
		t.Fatalf("the thief's sign-in to the wiki logged as %+v", sso)
	}
	seen := l.sessionsOf("mia@acme.example")
	if len(seen) != 1 || seen[0].IP != laptopShown || seen[0].LastSeenIP != intruderIP || seen[0].UserAgent != laptopUA || seen[0].ID != ExternalID(miaSession) {
		t.Fatalf("the admin API shows %+v", seen)
	}

	if status, data := l.api("POST", "/api/v1/policies/session", adminToken, `{"bindToDevice": true}`); status != 200 || !strings.Contains(string(data), `"bindToDevice":true`) {
		t.Fatalf("binding: %d %s", status, data)
	}
	if _, data := l.api("GET", "/api/v1/policies/session", adminToken, ""); !strings.Contains(string(data), `"bindToDevice":true`) {
		t.Fatalf("policy reads %s", data)
	}
	if resp, _ := laptop.get("/app/UserHome"); resp.Request.URL.Path != "/app/UserHome" {
		t.Fatalf("binding refused the laptop the session was made on: %s", resp.Request.URL)
	}
	resp, body := thief.get("/app/UserHome")
	if resp.Request.URL.Path != "/login" || strings.Contains(body, "Mia Lee") || thief.sid() != "" {
		t.Fatalf("bound session used from elsewhere: %s, cookie %q", resp.Request.URL, thief.sid())
	}
	deny := l.events("policy.evaluate_sign_on")
	if len(deny) != 1 || deny[0].Outcome.Result != ResultDeny || deny[0].Client.IPAddress != intruderIP ||
		deny[0].AuthenticationContext.ExternalSessionID != ExternalID(miaSession) || deny[0].Severity != "WARN" ||
		deny[0].DebugContext.DebugData["sessionIpAddress"] != laptopShown {
		t.Fatalf("the violation logged as %+v", deny)
	}
	if end := l.events("user.session.end"); len(end) != 1 || end[0].AuthenticationContext.ExternalSessionID != ExternalID(miaSession) {
		t.Fatalf("the session's end logged as %+v", end)
	}
	if l.openSessions("mia@acme.example") != 0 {
		t.Fatal("the violated session is still open")
	}
}

// Binding compares the browser as well as the address: the same host with
// another user agent is another device.
func TestBindingRefusesAnotherBrowserOnTheSameHost(t *testing.T) {
	l := newLab(t)
	l.api("POST", "/api/v1/policies/session", adminToken, `{"bindToDevice": true}`)
	other := l.browser(laptopAddr, "curl/8.5.0")
	other.plant(kenSession)
	if resp, _ := other.get("/app/UserHome"); resp.Request.URL.Path != "/login" {
		t.Fatalf("another browser got in: %s", resp.Request.URL)
	}
	if l.openSessions("ken@acme.example") != 0 {
		t.Fatal("the session is still open")
	}
}

// Without binding nothing is refused, however far the cookie travels.
func TestWithoutBindingNothingIsRefused(t *testing.T) {
	l := newLab(t)
	if _, data := l.api("GET", "/api/v1/policies/session", adminToken, ""); !strings.Contains(string(data), `"bindToDevice":false`) {
		t.Fatalf("policy at start: %s", data)
	}
	other := l.browser(intruder, "curl/8.5.0")
	other.plant(kenSession)
	if resp, _ := other.get("/app/UserHome"); resp.Request.URL.Path != "/app/UserHome" {
		t.Fatalf("refused: %s", resp.Request.URL)
	}
	if n := len(l.events("policy.evaluate_sign_on")); n != 0 {
		t.Fatalf("%d policy events", n)
	}
}

// An admin ends all of a user's sessions (Okta's clear user sessions) or
// one by its id; the cookies stop working, and who did it is logged.
func TestAnAdminEndsSessions(t *testing.T) {
	l := newLab(t)
	laptop := l.browser(laptopAddr, laptopUA)
	laptop.plant(miaSession)
	second := l.browser("", laptopUA)
	second.signIn("/app/UserHome", "mia@acme.example", "mia-pass")
	if n := len(l.sessionsOf("mia@acme.example")); n != 2 {
		t.Fatalf("%d sessions before", n)
	}
	if status, data := l.api("DELETE", "/api/v1/users/mia@acme.example/sessions", adminToken, ""); status != http.StatusNoContent {
		t.Fatalf("clear: %d %s", status, data)
	}
	for _, b := range []*browser{laptop, second} {
		if resp, _ := b.get("/app/UserHome"); resp.Request.URL.Path != "/login" {
			t.Errorf("a cleared session still works: %s", resp.Request.URL)
		}
	}
	if n := len(l.sessionsOf("mia@acme.example")); n != 0 {
		t.Fatalf("%d sessions after", n)
	}
	clear := l.events("user.session.clear")
	if len(clear) != 1 || clear[0].Actor.AlternateID != "ken@acme.example" || clear[0].Target[0].AlternateID != "mia@acme.example" {
		t.Fatalf("clear logged as %+v", clear)
	}
	if end := l.events("user.session.end"); len(end) != 2 || end[0].Actor.AlternateID != "ken@acme.example" || end[0].Outcome.Reason != "Cleared by an administrator" {
		t.Fatalf("ends logged as %+v", end)
	}

	ken := l.browser(laptopAddr, laptopUA)
	ken.plant(kenSession)
	if status, _ := l.api("DELETE", "/api/v1/sessions/"+ExternalID(kenSession), adminToken, ""); status != http.StatusNoContent {
		t.Fatalf("end one: %d", status)
	}
	if resp, _ := ken.get("/app/UserHome"); resp.Request.URL.Path != "/login" {
		t.Fatalf("an ended session still works")
	}
	for path, kind := range map[string]string{"/api/v1/sessions/" + ExternalID(kenSession): "(Session)", "/api/v1/users/nobody/sessions": "(User)"} {
		status, data := l.api("DELETE", path, adminToken, "")
		if e := decode[map[string]any](t, data); status != http.StatusNotFound || e["errorCode"] != "E0000007" || !strings.Contains(str(e["errorSummary"]), kind) {
			t.Errorf("DELETE %s: %d %s", path, status, data)
		}
	}
}
