// Package accounts holds the people of the range (trainees, instructors,
// partners and admins), how they prove who they are, and the sign-in
// sessions they hold. It knows nothing of HTTP or SQL: the web layer calls
// its Service and a storage adapter implements its Store.
package accounts

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sakimori/sakimori/fault"
)

// Role is what a person may do on the range.
type Role string

const (
	RoleTrainee    Role = "trainee"    // runs labs, sees own progress
	RoleInstructor Role = "instructor" // authors scenarios, runs cohorts
	RolePartner    Role = "partner"    // a university or academy pulling reports
	RoleAdmin      Role = "admin"      // runs the platform
)

// Roles lists every role, lowest privilege first.
var Roles = []Role{RoleTrainee, RoleInstructor, RolePartner, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// User is one account.
type User struct {
	ID           string
	Email        string // lower-cased; unique
	DisplayName  string
	NameKeys     NameKeys // NameKeysOf(DisplayName): how look-alike names are found
	Role         Role
	PasswordHash string
	CreatedAt    time.Time
	DisabledAt   *time.Time
	Preferences  Preferences // language and time zone; empty until chosen
	Rehearsal    bool        // the range's own rehearsal trainee, not a person (NewUser.Rehearsal)
}

// Disabled reports whether the account has been switched off.
func (u User) Disabled() bool { return u.DisabledAt != nil }

// Limits on what people type, kept here so the API and the UI agree.
const (
	MinPasswordLength    = 12
	MaxPasswordLength    = 256
	MaxDisplayNameLength = 80
	maxEmailLength       = 254
)

// NormalizeEmail lower-cases and trims an address, or refuses it.
func NormalizeEmail(raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	if email == "" {
		return "", fault.InvalidField("email", "email_required", "Enter an email address.")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > maxEmailLength {
		return "", fault.InvalidField("email", "email_invalid", "Enter a valid email address, like name@example.org.")
	}
	return email, nil
}

// CheckPassword applies the password policy (OWASP ASVS): a length, with an
// upper bound so hashing stays cheap to refuse, and not a known common
// password; no composition rules.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return fault.InvalidField("password", "password_too_short", "Use a password of at least 12 characters.")
	}
	if n > MaxPasswordLength {
		return fault.InvalidField("password", "password_too_long", "Use a password of at most 256 characters.")
	}
	if isCommonPassword(pw) {
		return ErrPasswordCommon
	}
	return nil
}
