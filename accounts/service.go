package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"
)

// Service is the accounts domain: every change to users and sessions goes
// through it.
type Service struct {
	store        Store
	passwords    *Passwords
	openRegister bool
	refreshTTL   time.Duration
	delay        SignInDelay
	now          func() time.Time

	// Second factors: seal keeps TOTP secrets (nil: TOTP cannot be set up),
	// relyingParty runs passkey ceremonies (nil: no public URL, no passkeys).
	seal         *sealer
	relyingParty *webauthn.WebAuthn
	issuer       string // the name authenticator apps show
}

// Options configures a Service.
type Options struct {
	OpenRegistration bool          // trainees may register without an invite
	RefreshTTL       time.Duration // how long a sign-in session lasts unused
	SignInDelay      SignInDelay   // zero: DefaultSignInDelay
	Now              func() time.Time
	// PublicURL is where people reach the range: passkeys are bound to its
	// host name and origin, and authenticator apps show its host.
	PublicURL string
	// SealKey (32 bytes) encrypts TOTP secrets at rest.
	SealKey []byte
}

// NewService makes the accounts service.
func NewService(store Store, passwords *Passwords, opt Options) *Service {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	delay := opt.SignInDelay
	if delay == (SignInDelay{}) {
		delay = DefaultSignInDelay
	}
	s := &Service{store: store, passwords: passwords, openRegister: opt.OpenRegistration, refreshTTL: opt.RefreshTTL, delay: delay, now: now, issuer: "Sakimori"}
	if seal, err := newSealer(opt.SealKey); err == nil {
		s.seal = seal
	}
	if rp, err := newRelyingParty(opt.PublicURL); err == nil {
		s.relyingParty = rp
		s.issuer = "Sakimori (" + rp.Config.RPID + ")"
	}
	return s
}

// OpenRegistration reports whether trainees may register without an invite.
func (s *Service) OpenRegistration() bool { return s.openRegister }

// NewUser is what a person (or an admin on their behalf) gives to make an account.
type NewUser struct {
	Email       string
	DisplayName string
	Password    string
	Role        Role
	// Rehearsal marks the range's own throwaway trainee that plays a
	// scenario's reference solution: no person, so left out of the
	// people lists, scoreboards and suspicions.
	Rehearsal bool
}

// CreateUser makes an account directly, for admins and the command line.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	u, err := s.prepare(in)
	if err != nil {
		return User{}, err
	}
	// Checked and created in one transaction, so the check sees the names
	// stored before it.
	err = s.store.InTx(ctx, func(tx Store) error { return createUser(ctx, tx, u) })
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// createUser stores u unless its email or display name is taken, or its
// display name looks like one that is. The email is checked first: someone
// who already has an account is better told so than asked for a new name.
func createUser(ctx context.Context, tx Store, u User) error {
	_, err := tx.UserByEmail(ctx, u.Email)
	if err == nil {
		return ErrEmailTaken
	}
	if !errors.Is(err, ErrUserNotFound) {
		return err
	}
	taken, err := tx.NameTaken(ctx, u.NameKeys)
	if err != nil {
		return err
	}
	if taken {
		return ErrDisplayNameTaken
	}
	return tx.CreateUser(ctx, u)
}

// prepare validates input and hashes the password into a User ready to store.
func (s *Service) prepare(in NewUser) (User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	if !in.Role.Valid() {
		return User{}, ErrRoleInvalid
	}
	if err := CheckPassword(in.Password); err != nil {
		return User{}, err
	}
	name, err := CleanDisplayName(in.DisplayName, email)
	if err != nil {
		return User{}, err
	}
	hash, err := s.passwords.Hash(in.Password)
	if err != nil {
		return User{}, err
	}
	return User{
		ID: newID(), Email: email, DisplayName: name, NameKeys: NameKeysOf(name), Role: in.Role,
		PasswordHash: hash, CreatedAt: s.now().UTC(), Rehearsal: in.Rehearsal,
	}, nil
}

// Register makes a trainee account, or an account of the invite's role when
// an invite code is given. Without open registration an invite is required.
func (s *Service) Register(ctx context.Context, in NewUser, inviteCode string) (User, error) {
	in.Role = RoleTrainee
	if inviteCode == "" {
		if !s.openRegister {
			return User{}, ErrInviteRequired
		}
		return s.CreateUser(ctx, in)
	}
	u, err := s.prepare(in)
	if err != nil {
		return User{}, err
	}
	// Claim and create in one transaction, so an invite is never burnt by a
	// registration that then fails (say, on an email already taken).
	err = s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.ClaimInvite(ctx, hashSecret(inviteCode), s.now().UTC())
		if err != nil {
			return err
		}
		if (inv.Email != "" && inv.Email != u.Email) || inv.UserID != "" { // a reset makes no account
			return ErrInviteInvalid
		}
		u.Role = inv.Role
		return createUser(ctx, tx, u)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// Authenticate checks an email and password. Unknown emails and wrong
// passwords give the same error after the same work. Failures are counted
// per email, known or not; past the free tries, an attempt made before
// the account's wait is over gets a *SignInDelayed without its password
// being checked.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	norm, err := NormalizeEmail(email)
	if err != nil || len(password) > 4*MaxPasswordLength {
		s.passwords.Match(password, "")
		return User{}, ErrBadCredentials
	}
	key := signInKey(norm)
	if err := s.holdSignIn(ctx, key); err != nil {
		return User{}, err
	}
	u, err := s.checkPassword(ctx, norm, password)
	if errors.Is(err, ErrBadCredentials) {
		if err := s.failSignIn(ctx, key); err != nil {
			return User{}, err
		}
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	// The password was right: the count starts again, even if the
	// account turns out to be disabled.
	if err := s.store.ClearSignInFailures(ctx, key); err != nil {
		return User{}, err
	}
	if u.Disabled() {
		return User{}, ErrAccountDisabled
	}
	return u, nil
}

// checkPassword finds the account and checks its password.
func (s *Service) checkPassword(ctx context.Context, norm, password string) (User, error) {
	u, err := s.store.UserByEmail(ctx, norm)
	if errors.Is(err, ErrUserNotFound) {
		s.passwords.Match(password, "")
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if !s.passwords.Match(password, u.PasswordHash) {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// User returns one account by id.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	return s.store.UserByID(ctx, id)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newSecret returns 32 random bytes as URL-safe text: a refresh token or code.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how secrets are kept at rest: a bearer secret of 256 random
// bits needs no salt or slow hash, only not to be readable from a backup.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
