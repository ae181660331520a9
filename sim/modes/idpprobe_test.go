package modes

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/sim/idp"
)

const (
	laptopSession = "102LaptopSessionOfKen0123456789abcdefghijklmn"
	phoneSession  = "102PhoneSessionOfKen0123456789abcdefghijklmno"
	probeAdmin    = "00probeAdminToken0123456789"
)

func probeIdPLab(t *testing.T) (*idpProbe, func(method, path, body string) int) {
	t.Helper()
	p, admin, _ := probeIdPLabServer(t)
	return p, admin
}

// probeIdPLabServer is probeIdPLab with the IdP itself, to read its log.
func probeIdPLabServer(t *testing.T) (*idpProbe, func(method, path, body string) int, *idp.Server) {
	t.Helper()
	s, hs := idpServer(t, `
org: Acme
users:
  - {login: ken@acme.example, password: pw-ken-1234, admin: true}
api_tokens: [{name: ops, token: `+probeAdmin+`, user: ken@acme.example}]
sessions:
  - {id: `+laptopSession+`, user: ken@acme.example, ip: 10.20.4.31, mfa: true}
  - {id: `+phoneSession+`, user: ken@acme.example, ip: 10.20.9.8, mfa: true}
`)
	p, admin := probeIdPLabAt(t, hs.URL)
	return p, admin, s
}

// idpServer serves the identity provider a world describes for the
// test's length.
func idpServer(t *testing.T, world string) (*idp.Server, *httptest.Server) {
	t.Helper()
	w, err := idp.ParseWorld(world)
	if err != nil {
		t.Fatal(err)
	}
	s, err := idp.New(w, "sim-key")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs
}

// probeIdPLabAt is a probe of the IdP at base and its admin API, with the
// tests' admin token.
func probeIdPLabAt(t *testing.T, base string) (*idpProbe, func(method, path, body string) int) {
	admin := func(method, path, body string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "SSWS "+probeAdmin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	return &idpProbe{hc: &http.Client{Timeout: 5 * time.Second}, endpoint: base, key: "sim-key"}, admin
}

// The stolen cookie works until every session is ended: ending only the
// stolen one leaves the phone's, and the check names it.
func TestIdPProbeRevoked(t *testing.T) {
	p, admin := probeIdPLab(t)
	both := []string{laptopSession, phoneSession}
	if ok, why, err := p.revoked(both); ok || err != nil || !strings.Contains(why, "2 of the 2 sessions") {
		t.Fatalf("before: %t %q %v", ok, why, err)
	}
	if code := admin("DELETE", "/api/v1/sessions/"+idp.ExternalID(laptopSession), ""); code != 204 {
		t.Fatalf("end one: %d", code)
	}
	if ok, why, _ := p.revoked(both); ok || !strings.Contains(why, "1 of the 2") {
		t.Fatalf("one ended: %t %q", ok, why)
	}
	if code := admin("DELETE", "/api/v1/users/ken@acme.example/sessions", ""); code != 204 {
		t.Fatalf("clear: %d", code)
	}
	if ok, why, err := p.revoked(both); !ok || err != nil {
		t.Fatalf("after: %t %q %v", ok, why, err)
	}
	if _, _, err := p.revoked([]string{laptopSession, "102NeverASessionOfAnyone0123456789abcdefghijk"}); err == nil {
		t.Error("a session the IdP never had counted as ended")
	}
	if _, _, err := (&idpProbe{hc: p.hc, endpoint: p.endpoint, key: "wrong"}).revoked(both); err == nil {
		t.Error("read the state without the sim key")
	}
}

// A session made elsewhere and replayed from the probe's host works until
// sessions are bound to their device; the probe's own session is ended
// either way.
func TestIdPProbeBound(t *testing.T) {
	p, admin, s := probeIdPLabServer(t)
	logged := len(s.Events())
	if ok, why, err := p.bound("ken@acme.example", "10.20.4.31", "Mozilla/5.0 Test"); ok || err != nil || !strings.Contains(why, "signed in") {
		t.Fatalf("before: %t %q %v", ok, why, err)
	}
	if now := len(s.Events()); now != logged {
		t.Errorf("the check's replay is in the System Log: %d events, %d before", now, logged)
	}
	if code := admin("POST", "/api/v1/policies/session", `{"bindToDevice": true}`); code != 200 {
		t.Fatalf("policy: %d", code)
	}
	logged = len(s.Events()) // the admin's change of policy is logged, as it should be
	if ok, why, err := p.bound("ken@acme.example", "10.20.4.31", "Mozilla/5.0 Test"); !ok || err != nil {
		t.Fatalf("after: %t %q %v", ok, why, err)
	}
	if now := len(s.Events()); now != logged {
		t.Errorf("the refused replay is in the System Log: %d events, want %d", now, logged)
	}
	if _, _, err := p.bound("nobody@acme.example", "10.20.4.31", "x"); err == nil {
		t.Error("a session for no one")
	}
	var state struct{ Sessions []struct{ ID string } }
	if err := getJSON(p.hc, p.endpoint+"/_sim/state", "sim-key", &state); err != nil || len(state.Sessions) != 2 {
		t.Errorf("the probe left sessions behind: %+v %v", state, err)
	}
}
