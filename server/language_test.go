package server_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

func errorMessage(r reply) string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// Every code a client can receive has a message in each language the
// range speaks: English is the fault's own, Japanese is in the catalogue.
func TestEveryErrorCodeHasAJapaneseMessage(t *testing.T) {
	for code := range listedCodes(t) {
		msg := server.JapaneseMessages[code]
		if msg == "" {
			t.Errorf("code %q has no Japanese message", code)
			continue
		}
		if !strings.ContainsFunc(msg, func(r rune) bool { return r >= 0x3040 && r <= 0x30ff || r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("the Japanese message of %q has no kana or kanji: %q", code, msg)
		}
	}
}

func TestErrorMessagesFollowTheReadersLanguage(t *testing.T) {
	rg := newRange(t, withOpenRegistration)
	wrong := map[string]string{"email": "nobody@range.test", "password": "not the password at all"}

	r := rg.call("POST", "/api/v1/auth/login", wrong, "Accept-Language", "ja-JP,ja;q=0.9,en;q=0.8")
	expect(t, r, 401, "bad_credentials")
	if got := errorMessage(r); got != server.JapaneseMessages["bad_credentials"] {
		t.Errorf("Japanese reader got %q", got)
	}
	r = rg.call("POST", "/api/v1/auth/login", wrong, "Accept-Language", "fr-FR,en;q=0.5")
	expect(t, r, 401, "bad_credentials")
	if got := errorMessage(r); got != "The email or password is wrong." {
		t.Errorf("English reader got %q", got)
	}
	r = rg.call("POST", "/api/v1/auth/login", `{"email": 5}`, "Accept-Language", "ja")
	expect(t, r, 400, "field_type_invalid")
	if got := errorMessage(r); !strings.Contains(got, "「email」") {
		t.Errorf("the Japanese message does not name the field: %q", got)
	}
}

// The account's language wins over the browser's: a person who chose
// Japanese reads Japanese on a borrowed English browser.
func TestPreferencesSetTheLanguageOfErrors(t *testing.T) {
	rg := newRange(t)
	token, _ := rg.userWithRole("hanako@range.test", accounts.RoleTrainee)
	english := "Accept-Language"

	expect(t, rg.call("PUT", "/api/v1/me/preferences", map[string]string{"language": "fr", "time_zone": ""}, bearer(token)...), 400, "language_unsupported")
	expect(t, rg.call("PUT", "/api/v1/me/preferences", map[string]string{"language": "ja", "time_zone": "Mars/Olympus"}, bearer(token)...), 400, "time_zone_unknown")
	expect(t, rg.call("PUT", "/api/v1/me/preferences", map[string]string{"language": "ja", "time_zone": "Local"}, bearer(token)...), 400, "time_zone_unknown")

	r := rg.call("PUT", "/api/v1/me/preferences", map[string]string{"language": "ja", "time_zone": "Asia/Tokyo"}, bearer(token)...)
	expect(t, r, 200, "")
	if r.body["language"] != "ja" || r.body["time_zone"] != "Asia/Tokyo" {
		t.Fatalf("preferences not kept: %s", r.raw)
	}
	me := rg.call("GET", "/api/v1/me", nil, bearer(token)...)
	if me.body["language"] != "ja" || me.body["time_zone"] != "Asia/Tokyo" {
		t.Fatalf("/me does not show the preferences: %s", me.raw)
	}

	r = rg.call("PUT", "/api/v1/me/preferences", map[string]string{"language": "de", "time_zone": ""}, append(bearer(token), english, "en-GB")...)
	if r.errorCode() != "language_unsupported" || errorMessage(r) != server.JapaneseMessages[r.errorCode()] {
		t.Errorf("the account's Japanese did not win over the browser's English: %s", r.raw)
	}

	expect(t, rg.call("PUT", "/api/v1/me/preferences", map[string]string{"language": "", "time_zone": ""}, bearer(token)...), 200, "")
	r = rg.call("PUT", "/api/v1/me/preferences", map[string]string{"language": "de", "time_zone": ""}, append(bearer(token), english, "en-GB")...)
	if r.errorCode() != "language_unsupported" || strings.ContainsFunc(errorMessage(r), func(r rune) bool { return r >= 0x3040 }) {
		t.Errorf("with no language chosen, the browser's English should apply: %s", r.raw)
	}
}
