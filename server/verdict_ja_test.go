package server_test

import (
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

// A Japanese reader is told what an answer came to in Japanese, a
// full-width answer typed through an IME included; the verdict's fields
// are the same in every language.
func TestVerdictsInTheReadersLanguage(t *testing.T) {
	d := fakeLabs()
	rg := newRangeWithLabs(t, d)
	hanako, _ := rg.userWithRole("hanako@range.test", accounts.RoleTrainee)
	lab := runningLab(t, rg, hanako)
	submit := func(answer string) reply {
		return rg.call("POST", "/api/v1/labs/"+lab+"/objectives/first-flag", map[string]string{"answer": answer},
			append(bearer(hanako), "Accept-Language", "ja-JP,ja;q=0.9")...)
	}

	if r := submit("FLAG{not-it}"); r.body["correct"] != false || r.body["message"] != "不正解です。" {
		t.Fatalf("a wrong answer: %s", r.raw)
	}
	fullWidth := strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r + 0xfee0 // the full-width form of an ASCII character
		}
		return r
	}, flagIn(t, d, lab))
	r := submit(fullWidth)
	if r.body["correct"] != true || r.body["points"] != float64(100) || r.body["message"] != "正解です。+100 ポイント獲得しました。" {
		t.Fatalf("the lab's own flag, typed full-width: %s", r.raw)
	}
	if r := submit(fullWidth); r.body["already_solved"] != true || r.body["message"] != "正解です。この目標は解決済みのため、ポイントは加算されません。" {
		t.Fatalf("a second submission: %s", r.raw)
	}
}
