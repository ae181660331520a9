package accounts_test

import (
	"errors"
	"testing"

	"github.com/sakimori/sakimori/accounts"
)

func TestCheckPasswordRefusesCommonPasswords(t *testing.T) {
	for _, tc := range []struct {
		pw     string
		common bool
	}{
		{"qazwsxedcrfv", true},
		{"QAZWSXEDCRFV", true}, // case does not hide it
		{"1qaz2wsx3edc", true},
		{"Password1234", true},
		{"iloveyou1234", false}, // not on the list
		{"long enough password", false},
		{"correct horse battery staple", false},
		{"qazwsxedcrfv!", false},
	} {
		err := accounts.CheckPassword(tc.pw)
		if got := errors.Is(err, accounts.ErrPasswordCommon); got != tc.common {
			t.Errorf("CheckPassword(%q) = %v; common %v, want %v", tc.pw, err, got, tc.common)
		}
		if !tc.common && err != nil {
			t.Errorf("CheckPassword(%q) = %v, want nil", tc.pw, err)
		}
	}
}

func TestRegisterRefusesACommonPassword(t *testing.T) {
	svc, _ := newService(t, true)
	_, err := svc.Register(ctx, accounts.NewUser{Email: "a@range.test", Password: "Qwerty123456"}, "")
	if !errors.Is(err, accounts.ErrPasswordCommon) {
		t.Fatalf("register with qwerty123456: %v", err)
	}
}
