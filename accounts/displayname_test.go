package accounts_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

func TestCleanDisplayNameAppliesTheNicknameProfile(t *testing.T) {
	for _, tc := range []struct {
		raw, want string
	}{
		{"Alice A", "Alice A"},
		{"  Alice   A ", "Alice A"}, // runs of spaces become one
		{"Ａｌｉｃｅ", "Alice"},          // wide forms map to their usual ones
		{"Jörg Müller", "Jörg Müller"},
		{"李小龍", "李小龍"},
		{"山田 太郎", "山田 太郎"},
		{"やまだ たろう", "やまだ たろう"},
		{"ﾔﾏﾀﾞ", "ヤマダ"}, // half-width katakana: its usual form
		{"أحمد", "أحمد"},
		{"Bob 😀", "Bob 😀"},
		{"", "alice"}, // none given: the email's local part
		{" \t ", "alice"},
	} {
		got, err := accounts.CleanDisplayName(tc.raw, "alice@range.test")
		if err != nil || got != tc.want {
			t.Errorf("CleanDisplayName(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
		}
	}
}

func TestCleanDisplayNameRefusesHiddenCharacters(t *testing.T) {
	for _, tc := range []struct {
		name, raw, names string
	}{
		{"right-to-left override", "\u202eAlice", "U+202E"},
		{"left-to-right isolate", "Alice\u2066A", "U+2066"},
		{"zero-width space", "Alice A\u200b", "U+200B"},
		{"zero-width joiner out of place", "Alice\u200dA", ""},
		{"C0 control", "bad\x1bname", "U+001B"},
		{"C1 control", "Ali\u0085ce", "U+0085"},
		{"line separator", "Al\u2028ice", "U+2028"},
		{"trailing next line", "Alice\u0085", "U+0085"},
		{"leading line separator", "\u2028Alice", "U+2028"},
		{"byte order mark", "\ufeffAlice", "U+FEFF"},
		{"tab", "a\tb", "U+0009"},
		{"Hangul filler, a letter that draws nothing", "山田\u3164太郎", "U+3164"},
		{"blank Braille pattern", "山田\u2800", "U+2800"},
		{"word joiner", "やま\u2060だ", "U+2060"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := accounts.CleanDisplayName(tc.raw, "alice@range.test")
			f, ok := fault.As(err)
			if !ok || f.Code != "display_name_invalid" || f.Field != "display_name" {
				t.Fatalf("CleanDisplayName(%q) = %v, want display_name_invalid on display_name", tc.raw, err)
			}
			if !strings.Contains(f.Message, tc.names) {
				t.Fatalf("message %q does not name %s", f.Message, tc.names)
			}
		})
	}
}

func TestCleanDisplayNameCountsTheEnforcedForm(t *testing.T) {
	if _, err := accounts.CleanDisplayName(strings.Repeat("a ", 40)+"b", "a@range.test"); err == nil {
		t.Fatal("a name of 81 characters was accepted")
	}
	// 80 letters between runs of spaces that the profile collapses.
	if _, err := accounts.CleanDisplayName(strings.Repeat("a", 80)+"   ", "a@range.test"); err != nil {
		t.Fatalf("a name of 80 characters: %v", err)
	}
}

// collide says whether two names share a key, as the store compares them.
func collide(a, b string) bool {
	ka, kb := accounts.NameKeysOf(a), accounts.NameKeysOf(b)
	return ka.Folded == kb.Folded || ka.Folded == kb.Shaped || ka.Shaped == kb.Folded || ka.Shaped == kb.Shaped
}

func TestNameKeysFindLookAlikes(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"Alice A", "alice a", true},
		{"alice", "\u0430lice", true}, // Cyrillic а
		{"Bill", "BiII", true},        // capital I for l
		{"ALICE", "Alice", true},      // case alone
		{"AIice", "alice", true},      // capital I for l, then case
		{"Bill", "Bi11", true},        // digit one for l
		{"modern", "rnodern", true},   // rn for m
		{"paypal", "pаypаl", true},
		{"Alice A", "Alice B", false},
		{"Jörg", "Jorg", false},
		{"Ann", "Anna", false},
	} {
		if got := collide(tc.a, tc.b); got != tc.same {
			t.Errorf("%q and %q collide: %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

func TestLookAlikeDisplayNamesAreRefused(t *testing.T) {
	svc, _ := newService(t, true)
	first := accounts.NewUser{Email: "alice@range.test", DisplayName: "Alice A", Password: "long enough password"}
	if _, err := svc.Register(ctx, first, ""); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Alice A", "alice a", "Alice  A", "ALICE A", "AIice A", "\u0410lice A", "Ａlice A"} {
		in := accounts.NewUser{Email: "other@range.test", DisplayName: name, Password: "long enough password", Role: accounts.RoleTrainee}
		if _, err := svc.Register(ctx, in, ""); !errors.Is(err, accounts.ErrDisplayNameTaken) {
			t.Errorf("register %q beside Alice A: %v, want display_name_taken", name, err)
		}
		if i == 0 {
			if _, err := svc.CreateUser(ctx, in); !errors.Is(err, accounts.ErrDisplayNameTaken) {
				t.Errorf("create %q beside Alice A: %v, want display_name_taken", name, err)
			}
		}
	}
	u, err := svc.Register(ctx, accounts.NewUser{Email: "bob@range.test", DisplayName: "  Alice   B ", Password: "long enough password"}, "")
	if err != nil || u.DisplayName != "Alice B" {
		t.Fatalf("a distinct name: %+v, %v", u, err)
	}
	// The enforced form is what is stored and read back.
	got, err := svc.User(ctx, u.ID)
	if err != nil || got.DisplayName != "Alice B" || got.NameKeys != accounts.NameKeysOf("Alice B") {
		t.Fatalf("stored: %+v, %v", got, err)
	}
}

func TestSetupRefusesALookAlikeName(t *testing.T) {
	svc, _ := newService(t, true)
	if _, err := svc.Register(ctx, accounts.NewUser{Email: "a@range.test", DisplayName: "Admin", Password: "long enough password"}, ""); err != nil {
		t.Fatal(err)
	}
	code, _ := svc.NewSetupCode(ctx)
	_, err := svc.Setup(ctx, code, accounts.NewUser{Email: "root@range.test", DisplayName: "Adrnin", Password: "long enough password"})
	if !errors.Is(err, accounts.ErrDisplayNameTaken) {
		t.Fatalf("setup as Adrnin beside Admin: %v", err)
	}
}
