package idp

import (
	"strings"
	"testing"
)

func TestParseWorldRefusesWhatCannotRun(t *testing.T) {
	const user = "users: [{login: a@x.example, password: p}]\n"
	const sid = "102abcdefghijklmnopqrstuvwxyz0123456789ABCD"
	for text, want := range map[string]string{
		"users: [{login: a@x.example}]": "needs a login and a password",
		"users: [{password: p}]":        "needs a login and a password",
		"users: [{login: a@x.example, password: p}, {login: A@x.example, password: q}]": "there twice",
		"users: [{login: a, password: p, totp_secret: 1}]":                              "not base32",
		"issuer: acme.okta.lab":                                            "issuer",
		"issuer: https://acme.okta.lab/":                                   "issuer",
		"addresses: {laptop: 1.2.3.4}":                                     "addresses",
		"apps: [{client_id: c, name: Wiki, redirect_uris: [http://w/cb]}]": "client_secret",
		"apps: [{client_id: c, client_secret: s, name: W}]":                "no redirect_uris",
		"apps: [{client_id: c, client_secret: s, redirect_uris: [/cb]}]":   "absolute",
		"apps: [{client_id: c, client_secret: s, redirect_uris: [http://w/cb]}, {client_id: c, client_secret: t, redirect_uris: [http://w/cb]}]": "of its own",
		user + "api_tokens: [{name: t, user: a@x.example}]":                                                                         "needs a value",
		user + "api_tokens: [{name: t, token: v, user: b@x.example}]":                                                               "one of the users",
		user + "sessions: [{id: short, user: a@x.example, ip: 10.0.0.1}]":                                                           "40 or more",
		user + "sessions: [{id: " + sid + "-x, user: a@x.example, ip: 10.0.0.1}]":                                                   "letters and digits",
		user + "sessions: [{id: " + sid + ", user: b@x.example, ip: 10.0.0.1}]":                                                     "no such user",
		user + "sessions: [{id: " + sid + ", user: a@x.example, ip: laptop}]":                                                       "ip",
		user + "sessions: [{id: " + sid + ", user: a@x.example, ip: 10.0.0.1, ago: yesterday}]":                                     "ago",
		user + "sessions: [{id: " + sid + ", user: a@x.example, ip: 10.0.0.1}, {id: " + sid + ", user: a@x.example, ip: 10.0.0.1}]": "of its own",
		"users: {login: a}": "CLOUDSIM_IDP",
	} {
		if _, err := ParseWorld(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
	if _, err := ParseWorld(user + "sessions: [{id: " + sid + ", user: A@x.example, ip: 203.0.113.9, ago: 1d2h}]"); err != nil {
		t.Fatalf("a good world: %v", err)
	}
}

// A pre-existing session made from a lab host is shown, and compared
// under binding, at that host's shown address; one from outside the lab
// at its own.
func TestPlantedSessionsTakeTheirShownAddress(t *testing.T) {
	l := newLab(t)
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if ip := l.s.sessions[miaSession].IP; ip != laptopShown {
		t.Fatalf("planted from %s", ip)
	}
	if got := l.s.showAddr("192.0.2.7"); got != "192.0.2.7" {
		t.Fatalf("outside address shown as %s", got)
	}
}

func TestUserAgentsAsOktaNamesThem(t *testing.T) {
	for ua, want := range map[string][3]string{
		laptopUA:   {"CHROME", "Windows 10", "Computer"},
		intruderUA: {"FIREFOX", "Linux", "Computer"},
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15":                      {"SAFARI", "Mac OS X", "Computer"},
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0":                   {"EDGE_CHROMIUM", "Windows 10", "Computer"},
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": {"SAFARI", "iOS", "Mobile"},
		"curl/8.5.0":             {"UNKNOWN", "Unknown", "Unknown"},
		"python-requests/2.31.0": {"UNKNOWN", "Unknown", "Unknown"},
	} {
		got := parseUserAgent(ua)
		if got.Browser != want[0] || got.OS != want[1] || deviceOf(ua) != want[2] || got.RawUserAgent != ua {
			t.Errorf("%s: %+v %s, want %v", ua, got, deviceOf(ua), want)
		}
	}
}
