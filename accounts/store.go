package accounts

import (
	"context"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Store is what accounts needs from storage. Implementations return the
// faults below for the cases named, and wrap anything else as Internal.
type Store interface {
	// InTx runs fn with a Store whose calls share one transaction, committed
	// if fn returns nil and rolled back otherwise.
	InTx(ctx context.Context, fn func(Store) error) error

	CreateUser(ctx context.Context, u User) error // ErrEmailTaken
	// NameTaken reports whether any account's display name has a key equal
	// to either of keys. Organisations do not exist yet, so the whole range
	// is one: a name collides with every account's, disabled ones included.
	NameTaken(ctx context.Context, keys NameKeys) (bool, error)
	UserByID(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error) // ErrUserNotFound
	ListUsers(ctx context.Context, q UserQuery) ([]User, int64, error)
	CountAdmins(ctx context.Context) (int64, error)
	// UpdateUser writes an account's role, disabled time and password hash.
	UpdateUser(ctx context.Context, u User) error // ErrUserNotFound
	// ErasePerson replaces what names u with pseudonym (see Service.Erase),
	// disables the account and ends everything it could sign in with.
	ErasePerson(ctx context.Context, u User, pseudonym string, at time.Time) error
	// SetPreferences writes an account's language and time zone.
	SetPreferences(ctx context.Context, userID string, p Preferences) error // ErrUserNotFound

	// PutSetupCode replaces the pending first-run setup code's hash.
	PutSetupCode(ctx context.Context, hash string) error
	// ConsumeSetupCode deletes the setup code if its hash matches and says
	// whether it did; only one caller can ever win it.
	ConsumeSetupCode(ctx context.Context, hash string) (bool, error)

	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	RefreshTokenByHash(ctx context.Context, hash string) (RefreshToken, error) // ErrSessionInvalid
	// MarkRefreshTokenUsed sets used_at if it is still unset and says whether
	// it did, so two concurrent refreshes cannot both succeed.
	MarkRefreshTokenUsed(ctx context.Context, id string, at time.Time) (bool, error)
	RevokeRefreshFamily(ctx context.Context, familyID string, at time.Time) error
	// RevokeUserSessions revokes every sign-in session the user holds.
	RevokeUserSessions(ctx context.Context, userID string, at time.Time) error

	// SignInFailures returns what is kept of the key's failed sign-ins, or
	// a zero record (Version 0) if nothing is.
	SignInFailures(ctx context.Context, key string) (SignInFailures, error)
	// SwapSignInFailures stores next (with the version after seen's) if
	// the key's record is still at seen.Version (0: there is none yet),
	// and says whether it did.
	SwapSignInFailures(ctx context.Context, key string, seen, next SignInFailures) (bool, error)
	// ClearSignInFailures forgets the key's failures.
	ClearSignInFailures(ctx context.Context, key string) error
	// ForgetSignInFailures forgets every record whose last failure is
	// before the time given.
	ForgetSignInFailures(ctx context.Context, before time.Time) error

	CreateInvite(ctx context.Context, inv Invite) error
	// ClaimInvite marks an unused, unrevoked, unexpired invite as used and
	// returns it.
	ClaimInvite(ctx context.Context, codeHash string, at time.Time) (Invite, error) // ErrInviteInvalid
	// ListInvites lists invites, newest first.
	ListInvites(ctx context.Context, limit int) ([]Invite, error)
	InviteByID(ctx context.Context, id string) (Invite, error) // ErrInviteNotFound
	// RevokeInvite sets revoked_at on an invite not yet used or revoked.
	RevokeInvite(ctx context.Context, id string, at time.Time) error

	MFAStore
}

// The faults accounts and its stores return.
var (
	ErrEmailTaken         = fault.InvalidField("email", "email_taken", "An account with this email already exists.")
	ErrUserNotFound       = fault.New(fault.NotFound, "user_not_found", "No such user.")
	ErrBadCredentials     = fault.New(fault.Unauthenticated, "bad_credentials", "The email or password is wrong.")
	ErrAccountDisabled    = fault.New(fault.Forbidden, "account_disabled", "This account has been disabled.")
	ErrSessionInvalid     = fault.New(fault.Unauthenticated, "session_invalid", "Your session has ended; sign in again.")
	ErrSessionReused      = fault.New(fault.Unauthenticated, "session_reused", "This session was used twice, so it has been ended everywhere; sign in again.")
	ErrSetupDone          = fault.New(fault.Conflict, "setup_done", "Sakimori is already set up; sign in instead.")
	ErrSetupCodeWrong     = fault.InvalidField("setup_code", "setup_code_wrong", "The setup code is wrong. Use the code printed in the server's log at start-up.")
	ErrInviteRequired     = fault.InvalidField("invite_code", "invite_required", "Registration needs an invite code from your instructor.")
	ErrInviteInvalid      = fault.InvalidField("invite_code", "invite_invalid", "This invite code is unknown, used or expired.")
	ErrRoleInvalid        = fault.InvalidField("role", "role_invalid", "Role must be trainee, instructor, partner or admin.")
	ErrInviteRoleNotYours = fault.New(fault.Forbidden, "invite_role_forbidden", "Only admins can invite instructors, partners or admins.")
	ErrInviteNotFound     = fault.New(fault.NotFound, "invite_not_found", "No such invite.")
	ErrInviteUsed         = fault.New(fault.Conflict, "invite_used", "This invite has already been used, so it cannot be revoked.")
	ErrSelfChange         = fault.New(fault.Conflict, "self_change_forbidden", "You cannot change your own role or disable your own account; ask another admin.")
	ErrLastAdmin          = fault.New(fault.Conflict, "last_admin", "This is the last admin: make another admin first.")
	ErrResetCodeInvalid   = fault.InvalidField("code", "reset_code_invalid", "This password reset link is unknown, used, revoked or expired; ask an admin for a new one.")
)
