package accounts

import (
	_ "embed"
	"strings"

	"github.com/sakimori/sakimori/fault"
)

// ErrPasswordCommon refuses a password on the bundled list.
var ErrPasswordCommon = fault.InvalidField("password", "password_common", "This password is on a list of common passwords that attackers try first; choose another.")

// commonPasswordList is bundled rather than fetched, so the range refuses
// known passwords offline and the same way on every server. Its header says
// where the entries come from.
//
//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords holds the list's entries, lower-cased.
var commonPasswords = func() map[string]struct{} {
	set := make(map[string]struct{})
	for _, line := range strings.Split(commonPasswordList, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = struct{}{}
	}
	return set
}()

// isCommonPassword reports whether pw is on the bundled list, ignoring case:
// "QAZWSXEDCRFV" is guessed as early as "qazwsxedcrfv".
func isCommonPassword(pw string) bool {
	_, found := commonPasswords[strings.ToLower(pw)]
	return found
}
