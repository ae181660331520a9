package server_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// A Japanese reader gets a scenario's words in Japanese: the catalogue,
// the scenario page, and the lab's objectives and unlocked hints. Ids and
// points stay as they are; an English reader keeps the English.
func TestScenarioWordsFollowTheReadersLanguage(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	japanese := append(bearer(alice), "Accept-Language", "ja")

	r := rg.call("GET", "/api/v1/scenarios", nil, japanese...)
	expect(t, r, 200, "")
	if !strings.Contains(r.raw, `"title":"レンジ・オリエンテーション"`) || !strings.Contains(r.raw, `"id":"orientation"`) {
		t.Fatalf("catalogue in Japanese: %s", r.raw)
	}
	r = rg.call("GET", "/api/v1/scenarios/metadata-heist", nil, japanese...)
	if !strings.Contains(r.raw, "メタデータ強奪") || !strings.Contains(r.raw, "どの IAM ロール") || !strings.Contains(r.raw, `"label":"Acme リンクプレビュー"`) {
		t.Fatalf("scenario in Japanese: %s", r.raw)
	}
	if r = rg.call("GET", "/api/v1/scenarios/metadata-heist", nil, bearer(alice)...); !strings.Contains(r.raw, `"title":"Metadata Heist"`) {
		t.Fatalf("scenario in English: %s", r.raw)
	}

	lab := runningLab(t, rg, alice)
	r = rg.call("GET", "/api/v1/labs/"+lab+"/objectives", nil, japanese...)
	if !strings.Contains(r.raw, `"title":"Web ホストが配信しているフラグを読み取る"`) || !strings.Contains(r.raw, `"id":"first-flag"`) {
		t.Fatalf("objectives in Japanese: %s", r.raw)
	}
	r = rg.call("POST", "/api/v1/labs/"+lab+"/hints/where-is-web", nil, japanese...)
	expect(t, r, 200, "")
	if !strings.Contains(r.raw, "環境変数") {
		t.Fatalf("hint in Japanese: %s", r.raw)
	}
	r = rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag/walkthrough", nil, japanese...)
	if !strings.Contains(r.raw, "busybox の") || !strings.Contains(r.raw, `"message":"この目標をこれから解決しても、ポイントは加算されません。"`) {
		t.Fatalf("walkthrough in Japanese: %s", r.raw)
	}
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)
	rg.teaches("teacher@range.test", "alice@range.test")
	r = rg.call("GET", "/api/v1/staff/labs/"+lab, nil, append(bearer(teacher), "Accept-Language", "ja")...)
	if !strings.Contains(r.raw, `"scenario_title":"レンジ・オリエンテーション"`) || !strings.Contains(r.raw, "Web ホストが配信しているフラグ") {
		t.Fatalf("the staff view of the lab in Japanese: %s", r.raw)
	}
	r = rg.call("GET", "/api/v1/me/progress", nil, japanese...)
	if !strings.Contains(r.raw, "レンジ・オリエンテーション") {
		t.Fatalf("progress in Japanese: %s", r.raw)
	}
	r = rg.call("GET", "/api/v1/labs/"+lab+"/objectives", nil, bearer(alice)...)
	if !strings.Contains(r.raw, `"title":"Read the flag the web host serves"`) || !strings.Contains(r.raw, "your environment") {
		t.Fatalf("objectives in English: %s", r.raw)
	}
}

// A terminal opened from a Japanese page greets in Japanese: the ticket's
// socket address carries the reader's language to the shell.
func TestTerminalTicketCarriesTheReadersLanguage(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, alice)
	r := rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, append(bearer(alice), "Accept-Language", "ja")...)
	expect(t, r, 200, "")
	if url, _ := r.body["url"].(string); !strings.HasSuffix(url, "&lang=ja") {
		t.Fatalf("ticket url %q", url)
	}
	r = rg.call("POST", "/api/v1/labs/"+lab+"/terminal", nil, bearer(alice)...)
	if url, _ := r.body["url"].(string); !strings.HasSuffix(url, "&lang=en") {
		t.Fatalf("ticket url %q", url)
	}
}

// A multiple-choice objective shows each choice as a value to submit and a
// label in the reader's language; the value is what scores.
func TestChoicesCarryAValueAndALabel(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	lab := runningLabOf(t, rg, alice, "metadata-heist")
	r := rg.call("GET", "/api/v1/labs/"+lab+"/objectives", nil, append(bearer(alice), "Accept-Language", "ja")...)
	expect(t, r, 200, "")
	if !strings.Contains(r.raw, `"choices":[{"value":"IMDSv1","label":"IMDSv1"},{"value":"IMDSv2","label":"IMDSv2"}]`) {
		t.Fatalf("choices: %s", r.raw)
	}
	r = rg.call("POST", "/api/v1/labs/"+lab+"/objectives/delivery-version", map[string]string{"answer": "IMDSv1"}, bearer(alice)...)
	expect(t, r, 200, "")
	if r.body["correct"] != true {
		t.Fatalf("the choice's value scores: %s", r.raw)
	}
}

// Staff read a scenario's instructor notes in their language; trainees,
// whom the walkthrough would spoil, cannot.
func TestInstructorNotesAreForStaff(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	alice, _ := rg.userWithRole("alice@range.test", accounts.RoleTrainee)
	teacher, _ := rg.userWithRole("teacher@range.test", accounts.RoleInstructor)

	r := rg.call("GET", "/api/v1/scenarios/metadata-heist/notes", nil, append(bearer(teacher), "Accept-Language", "ja")...)
	expect(t, r, 200, "")
	if r.body["language"] != "ja" || !strings.Contains(r.raw, "講師用ノート") {
		t.Fatalf("notes in Japanese: %s", r.raw)
	}
	r = rg.call("GET", "/api/v1/scenarios/metadata-heist/notes", nil, bearer(teacher)...)
	if r.body["language"] != "en" || !strings.Contains(r.raw, "instructor notes") {
		t.Fatalf("notes in English: %s", r.raw)
	}
	expect(t, rg.call("GET", "/api/v1/scenarios/metadata-heist/notes", nil, bearer(alice)...), 403, "forbidden")
	expect(t, rg.call("GET", "/api/v1/scenarios/no-such/notes", nil, bearer(teacher)...), 404, "scenario_not_found")
}
