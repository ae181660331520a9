package accounts

import (
	"context"
	"errors"
	"slices"
	"time"
)

// The second factors a person can sign in with.
const (
	MethodTOTP    = "totp"
	MethodPasskey = "passkey"
)

const (
	// ceremonyTTL is how long a sign-in waits for its second factor, and a
	// passkey registration for the browser.
	ceremonyTTL = 5 * time.Minute
	// maxCeremonyFailures wrong answers end a sign-in step: guessing six
	// digits needs a fresh password check every few tries.
	maxCeremonyFailures = 5
)

// MFAStatus is what second factors a person has.
type MFAStatus struct {
	TOTP        bool // an authenticator app is confirmed
	TOTPPending bool // one is waiting for its first code
	Passkeys    []Passkey
	Required    bool // their role must sign in with a second factor
}

// Methods lists the second factors the person can sign in with.
func (st MFAStatus) Methods() []string {
	var m []string
	if st.TOTP {
		m = append(m, MethodTOTP)
	}
	if len(st.Passkeys) > 0 {
		m = append(m, MethodPasskey)
	}
	return m
}

// MFAStatus reports u's second factors.
func (s *Service) MFAStatus(ctx context.Context, u User) (MFAStatus, error) {
	var st MFAStatus
	t, err := s.store.TOTPOf(ctx, u.ID)
	switch {
	case err == nil:
		st.TOTP, st.TOTPPending = t.ConfirmedAt != nil, t.ConfirmedAt == nil
	case !errors.Is(err, ErrTOTPNotSet):
		return MFAStatus{}, err
	}
	if st.Passkeys, err = s.store.PasskeysOf(ctx, u.ID); err != nil {
		return MFAStatus{}, err
	}
	roles, err := s.store.MFARequiredRoles(ctx)
	if err != nil {
		return MFAStatus{}, err
	}
	st.Required = slices.Contains(roles, u.Role)
	return st, nil
}

// SecondFactor is what a right password leads to when it is not enough.
type SecondFactor struct {
	// Challenge, when set, is the handle of a sign-in step the person
	// completes with one of Methods before ExpiresAt.
	Challenge string
	Methods   []string
	ExpiresAt time.Time
	// EnrolmentRequired: the person's role requires a second factor and
	// they have none yet, so they may only set one up.
	EnrolmentRequired bool
}

// Needed reports whether the password alone does not sign the person in.
func (f SecondFactor) Needed() bool { return f.Challenge != "" || f.EnrolmentRequired }

// SecondFactorFor decides what u, having given the right password, must
// still do: nothing, a second factor, or set one up.
func (s *Service) SecondFactorFor(ctx context.Context, u User) (SecondFactor, error) {
	st, err := s.MFAStatus(ctx, u)
	if err != nil {
		return SecondFactor{}, err
	}
	methods := st.Methods()
	if len(methods) == 0 {
		return SecondFactor{EnrolmentRequired: st.Required}, nil
	}
	handle, c := s.newCeremony(u.ID, purposeSignIn)
	if err := s.store.CreateCeremony(ctx, c, s.now().UTC()); err != nil {
		return SecondFactor{}, err
	}
	return SecondFactor{Challenge: handle, Methods: methods, ExpiresAt: c.ExpiresAt}, nil
}

// checkEnrolled ends the session of a person whose role has come to require
// a second factor they do not have, so the policy reaches them at their
// next refresh, and their next sign-in sends them to set one up.
func (s *Service) checkEnrolled(ctx context.Context, u User) error {
	st, err := s.MFAStatus(ctx, u)
	if err != nil {
		return err
	}
	if st.Required && len(st.Methods()) == 0 {
		return ErrSessionInvalid
	}
	return nil
}

// FinishSignInTOTP completes a sign-in step with a code from the person's
// authenticator app and returns who signed in.
func (s *Service) FinishSignInTOTP(ctx context.Context, challenge, code string) (User, error) {
	c, err := s.openCeremony(ctx, challenge, purposeSignIn, "")
	if err != nil {
		return User{}, err
	}
	if _, err := cleanCode(code); err != nil {
		return User{}, err
	}
	if err := s.checkTOTP(ctx, c.UserID, code); err != nil {
		return User{}, s.ceremonyFailed(ctx, c, err)
	}
	return s.finishSignIn(ctx, c)
}

// finishSignIn ends the sign-in step, once, and returns its person.
func (s *Service) finishSignIn(ctx context.Context, c Ceremony) (User, error) {
	won, err := s.store.EndCeremony(ctx, c.HandleHash)
	if err != nil {
		return User{}, err
	}
	if !won {
		return User{}, ErrChallengeInvalid
	}
	u, err := s.store.UserByID(ctx, c.UserID)
	if err != nil {
		return User{}, err
	}
	if u.Disabled() {
		return User{}, ErrAccountDisabled
	}
	return u, nil
}

// newCeremony makes a ceremony and the handle its client holds.
func (s *Service) newCeremony(userID, purpose string) (string, Ceremony) {
	handle := newSecret()
	return handle, Ceremony{
		HandleHash: hashSecret(handle), UserID: userID, Purpose: purpose,
		ExpiresAt: s.now().UTC().Add(ceremonyTTL),
	}
}

// openCeremony finds a live ceremony of purpose by its handle, for userID
// if one is given.
func (s *Service) openCeremony(ctx context.Context, handle, purpose, userID string) (Ceremony, error) {
	gone := ErrChallengeInvalid
	if purpose == purposeRegistering {
		gone = ErrRegistrationOver
	}
	if handle == "" || len(handle) > 128 {
		return Ceremony{}, gone
	}
	c, err := s.store.CeremonyByHash(ctx, hashSecret(handle))
	if errors.Is(err, ErrChallengeInvalid) {
		return Ceremony{}, gone
	}
	if err != nil {
		return Ceremony{}, err
	}
	if c.Purpose != purpose || (userID != "" && c.UserID != userID) || !s.now().UTC().Before(c.ExpiresAt) {
		return Ceremony{}, gone
	}
	return c, nil
}

// ceremonyFailed counts a wrong answer, ending the ceremony at the limit,
// and passes the answer's fault on.
func (s *Service) ceremonyFailed(ctx context.Context, c Ceremony, cause error) error {
	n, err := s.store.CeremonyFailed(ctx, c.HandleHash)
	if err != nil {
		return errors.Join(cause, err)
	}
	if n >= maxCeremonyFailures {
		if _, err := s.store.EndCeremony(ctx, c.HandleHash); err != nil {
			return errors.Join(cause, err)
		}
	}
	return cause
}

// Proof is what a signed-in person gives before removing a second factor:
// their password, or a current code from their authenticator app.
type Proof struct {
	Password string
	Code     string
}

func (s *Service) prove(ctx context.Context, u User, p Proof) error {
	switch {
	case p.Password != "":
		if len(p.Password) > 4*MaxPasswordLength || !s.passwords.Match(p.Password, u.PasswordHash) {
			return ErrPasswordWrong
		}
		return nil
	case p.Code != "":
		err := s.checkTOTP(ctx, u.ID, p.Code)
		switch {
		case errors.Is(err, ErrMFACodeWrong):
			return ErrTOTPConfirmWrong
		case errors.Is(err, ErrMFACodeUsed):
			return ErrProofCodeUsed
		case errors.Is(err, ErrMFANotSet):
			return ErrTOTPNotSet
		}
		return err
	}
	return ErrProofRequired
}

// RemoveTOTP switches off u's authenticator app, or drops one still
// waiting for its first code.
func (s *Service) RemoveTOTP(ctx context.Context, u User, p Proof) error {
	st, err := s.MFAStatus(ctx, u)
	if err != nil {
		return err
	}
	if !st.TOTP && !st.TOTPPending {
		return ErrTOTPNotSet
	}
	if err := s.prove(ctx, u, p); err != nil {
		return err
	}
	if st.TOTP && st.Required && len(st.Passkeys) == 0 {
		return ErrMFARequiredByRole
	}
	return s.store.DeleteTOTP(ctx, u.ID)
}

// MFAPolicy lists the roles that must sign in with a second factor.
func (s *Service) MFAPolicy(ctx context.Context) ([]Role, error) {
	return s.store.MFARequiredRoles(ctx)
}

// SetMFAPolicy replaces the roles that must sign in with a second factor.
// It takes effect at each person's next sign-in, and at the next refresh
// of sessions already open (see checkEnrolled).
func (s *Service) SetMFAPolicy(ctx context.Context, roles []Role) ([]Role, error) {
	var clean []Role
	for _, r := range Roles { // in the order of Roles, each once
		if slices.Contains(roles, r) {
			clean = append(clean, r)
		}
	}
	for _, r := range roles {
		if !r.Valid() {
			return nil, ErrRoleInvalid
		}
	}
	if err := s.store.SetMFARequiredRoles(ctx, clean); err != nil {
		return nil, err
	}
	return clean, nil
}
