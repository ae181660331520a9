package accounts

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/secure/precis"

	"github.com/sakimori/sakimori/fault"
)

// Display names are shown to other people (standings, instructors' views),
// so one must not be able to pass for another. A name is enforced with the
// PRECIS Nickname profile (RFC 8266), which refuses control, invisible and
// direction-changing characters and maps wide forms and runs of spaces to
// one canonical form; that form is what is stored.

// ErrDisplayNameTaken refuses a name confusable with an existing one.
var ErrDisplayNameTaken = fault.InvalidField("display_name", "display_name_taken", "This display name is taken or looks too much like one that is; choose another.")

// CleanDisplayName enforces a display name, defaulting to the email's local
// part when none is given.
func CleanDisplayName(raw, email string) (string, error) {
	// Only emptiness is judged on trimmed text: the profile trims spaces
	// itself, and refuses the other white space (tabs, U+0085, U+2028) that
	// trimming here would silently drop.
	name := raw
	if strings.TrimSpace(raw) == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	enforced, err := precis.Nickname.String(name)
	if err != nil || strings.ContainsFunc(name, drawsNothing) {
		return "", displayNameRefused(name)
	}
	if utf8.RuneCountInString(enforced) > MaxDisplayNameLength {
		return "", fault.InvalidField("display_name", "display_name_too_long", "Use a display name of at most 80 characters.")
	}
	return enforced, nil
}

// displayNameRefused says which character made the Nickname profile refuse
// name, so the person knows what to remove even when it is invisible.
func displayNameRefused(name string) error {
	for _, r := range name {
		if _, err := precis.Nickname.String("a" + string(r)); err != nil || drawsNothing(r) {
			return fault.InvalidField("display_name", "display_name_invalid",
				fmt.Sprintf("A display name cannot hold control, invisible or direction-changing characters; remove U+%04X.", r))
		}
	}
	// Each character is allowed alone but not in this order, such as a
	// joiner out of place or a mix of right-to-left and left-to-right text.
	return fault.InvalidField("display_name", "display_name_invalid",
		"A display name cannot hold control, invisible or direction-changing characters, or mix writing directions.")
}

// NameKeys are the two readings of a display name under which names that
// look alike collide, each a UTS #39 skeleton (Unicode's confusables data,
// as packaged by github.com/mtibben/confusables). One key cannot serve:
// "ALICE" must meet "alice" once case is folded, while "AIice" (a capital
// I) must meet "alice" before it is, as a folded I reads as i. Two names
// collide when any key of one equals any key of the other. Keys depend on
// the confusables data: a newer table may give an old name a new key.
type NameKeys struct {
	Folded string // skeleton of the case-folded name
	Shaped string // skeleton of the name as written, case folded and mapped again
}

// NameKeysOf returns the keys of a display name.
func NameKeysOf(name string) NameKeys {
	return NameKeys{
		Folded: confusables.Skeleton(strings.ToLower(name)),
		Shaped: confusables.Skeleton(strings.ToLower(confusables.Skeleton(name))),
	}
}

// drawsNothing reports the characters the Nickname profile lets through
// although they print as blank space: the blank Braille pattern is a
// symbol, not white space, so no profile maps or refuses it, and a name of
// it alone would be an invisible person on every list.
func drawsNothing(r rune) bool {
	return r == '\u2800'
}
