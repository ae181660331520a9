package accounts

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// TOTP is a person's authenticator app, as stored.
type TOTP struct {
	UserID       string
	SecretSealed string // the base32 secret, sealed (see sealer)
	CreatedAt    time.Time
	ConfirmedAt  *time.Time // nil until the first code proves the app has it
	LastStep     int64      // the last time step a code was accepted for
}

// Passkey is one WebAuthn credential of a person.
type Passkey struct {
	ID           string
	UserID       string
	CredentialID string // base64url, as the browser names it
	Name         string
	Credential   []byte // the library's credential record, as JSON
	CreatedAt    time.Time
	LastUsedAt   *time.Time
}

// Ceremony purposes.
const (
	purposeSignIn      = "sign-in"
	purposeRegistering = "passkey-registration"
	purposePasskeyOnly = "passkey-sign-in"
)

// Ceremony is a second-factor step in progress: a sign-in waiting for its
// second factor, or a passkey registration waiting for the browser.
type Ceremony struct {
	HandleHash string // sha256 of the handle the client holds
	UserID     string // empty for a passkey sign-in, until the passkey names its person
	Purpose    string
	State      []byte // the open WebAuthn ceremony, as JSON; empty if none
	Failures   int
	ExpiresAt  time.Time
}

// MFAStore is what the second factors need from storage. It is part of
// Store; its calls share InTx's transaction like every other.
type MFAStore interface {
	// PutTOTP stores t, replacing any earlier (unconfirmed) one of its user.
	PutTOTP(ctx context.Context, t TOTP) error
	TOTPOf(ctx context.Context, userID string) (TOTP, error) // ErrTOTPNotSet
	// ConfirmTOTP marks an unconfirmed TOTP confirmed with step used.
	ConfirmTOTP(ctx context.Context, userID string, at time.Time, step int64) (bool, error)
	// UseTOTPStep records step as used if it is later than the last one
	// used, and says whether it was; so a code is good once, even when two
	// requests bring it at the same moment.
	UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	DeleteTOTP(ctx context.Context, userID string) error

	CreatePasskey(ctx context.Context, p Passkey) error // ErrPasskeyTaken
	PasskeysOf(ctx context.Context, userID string) ([]Passkey, error)
	// PasskeyUsed stores the credential record after a sign-in (its
	// signature counter moves) and when it was used.
	PasskeyUsed(ctx context.Context, id string, credential []byte, at time.Time) error
	// DeletePasskey removes one of the user's passkeys and says whether it did.
	DeletePasskey(ctx context.Context, userID, id string) (bool, error)

	// CreateCeremony stores c and drops every ceremony expired before now.
	CreateCeremony(ctx context.Context, c Ceremony, now time.Time) error
	CeremonyByHash(ctx context.Context, hash string) (Ceremony, error) // ErrChallengeInvalid
	SetCeremonyState(ctx context.Context, hash string, state []byte) error
	// CeremonyFailed counts one wrong answer and returns the count.
	CeremonyFailed(ctx context.Context, hash string) (int, error)
	// EndCeremony deletes the ceremony and says whether this call did: only
	// one caller can ever finish a ceremony.
	EndCeremony(ctx context.Context, hash string) (bool, error)

	MFARequiredRoles(ctx context.Context) ([]Role, error)
	SetMFARequiredRoles(ctx context.Context, roles []Role) error
}

// The faults of second factors.
var (
	ErrTOTPNotSet         = fault.New(fault.Conflict, "totp_not_set", "No authenticator app is set up for this account.")
	ErrTOTPNotPending     = fault.New(fault.Conflict, "totp_not_pending", "No authenticator app is waiting for its first code; start setting one up.")
	ErrTOTPAlreadySet     = fault.New(fault.Conflict, "totp_already_set", "An authenticator app is already set up; remove it first to set up another.")
	ErrTOTPCodeInvalid    = fault.InvalidField("code", "totp_code_invalid", "Enter the 6-digit code from your authenticator app.")
	ErrTOTPConfirmWrong   = fault.InvalidField("code", "totp_code_wrong", "That code is not the one your authenticator app shows now; check the app's clock and try the current code.")
	ErrMFACodeWrong       = fault.New(fault.Unauthenticated, "mfa_code_wrong", "The code is wrong or has expired.")
	ErrMFACodeUsed        = fault.New(fault.Unauthenticated, "mfa_code_used", "This code has already been used; wait for the next one.")
	ErrChallengeInvalid   = fault.New(fault.Unauthenticated, "mfa_challenge_invalid", "This sign-in step has expired or was already used; sign in again.")
	ErrMFANotSet          = fault.New(fault.Unauthenticated, "mfa_method_unavailable", "This account has no such second factor; use another.")
	ErrPasskeyRefused     = fault.New(fault.Unauthenticated, "passkey_refused", "The passkey was not accepted; try again or use another.")
	ErrPasskeyInvalid     = fault.InvalidField("credential", "passkey_invalid", "The browser's answer is not a valid passkey response.")
	ErrPasskeyTaken       = fault.New(fault.Conflict, "passkey_taken", "This passkey is already registered.")
	ErrPasskeyNotFound    = fault.New(fault.NotFound, "passkey_not_found", "No such passkey.")
	ErrPasskeysOff        = fault.New(fault.Unavailable, "passkeys_unavailable", "Passkeys need the range's public URL to be set.")
	ErrRegistrationOver   = fault.InvalidField("ceremony", "passkey_ceremony_invalid", "This passkey registration has expired or was already used; start again.")
	ErrPasskeyNameTooLong = fault.InvalidField("name", "passkey_name_too_long", "Use a passkey name of at most 60 characters.")
	ErrMFARequiredByRole  = fault.New(fault.Conflict, "mfa_required_by_role", "Your role requires a second factor; add another before removing this one.")
	ErrProofRequired      = fault.InvalidField("password", "proof_required", "Enter your password or a current code to confirm.")
	// A signed-in person's proof is a field of their request, not their
	// session: it is refused as bad input, never as a 401 that would read
	// as the session having ended.
	ErrPasswordWrong  = fault.InvalidField("password", "password_wrong", "The password is wrong.")
	ErrProofCodeUsed  = fault.InvalidField("code", "totp_code_used", "This code has already been used; wait for the next one.")
	ErrPasskeyNotMade = fault.InvalidField("credential", "passkey_not_accepted", "The new passkey could not be verified; try again.")
)
