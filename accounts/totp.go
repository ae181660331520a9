package accounts

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP follows RFC 6238 as every authenticator app does: HMAC-SHA-1, six
// digits, 30-second steps; one step either side is accepted, for clocks
// that drift and people who type slowly.
const (
	totpPeriod = 30
	totpSkew   = 1
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPEnrolment is what a person copies into their authenticator app. It is
// shown once, when enrolment begins; the secret is never shown again.
type TOTPEnrolment struct {
	Secret string // base32
	URI    string // otpauth://totp/…
}

// BeginTOTP makes a new secret for u's authenticator app. It is not used for
// sign-in until ConfirmTOTP sees a first code made from it.
func (s *Service) BeginTOTP(ctx context.Context, u User) (TOTPEnrolment, error) {
	if s.seal == nil {
		return TOTPEnrolment{}, errors.New("accounts: no seal key for TOTP secrets")
	}
	existing, err := s.store.TOTPOf(ctx, u.ID)
	if err == nil && existing.ConfirmedAt != nil {
		return TOTPEnrolment{}, ErrTOTPAlreadySet
	}
	if err != nil && !errors.Is(err, ErrTOTPNotSet) {
		return TOTPEnrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: s.issuer, AccountName: u.Email, Period: totpPeriod, SecretSize: 20,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	err = s.store.PutTOTP(ctx, TOTP{UserID: u.ID, SecretSealed: s.seal.seal(key.Secret(), u.ID), CreatedAt: s.now().UTC()})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URI: key.URL()}, nil
}

// ConfirmTOTP switches u's new authenticator app on once it gives a right
// code. That code counts as used.
func (s *Service) ConfirmTOTP(ctx context.Context, u User, code string) error {
	t, err := s.store.TOTPOf(ctx, u.ID)
	if errors.Is(err, ErrTOTPNotSet) || (err == nil && t.ConfirmedAt != nil) {
		return ErrTOTPNotPending
	}
	if err != nil {
		return err
	}
	step, err := s.matchTOTP(t, code)
	if errors.Is(err, ErrMFACodeWrong) {
		return ErrTOTPConfirmWrong
	}
	if err != nil {
		return err
	}
	ok, err := s.store.ConfirmTOTP(ctx, u.ID, s.now().UTC(), step)
	if err != nil {
		return err
	}
	if !ok {
		return ErrTOTPNotPending
	}
	return nil
}

// checkTOTP accepts a right code of u's confirmed app once.
func (s *Service) checkTOTP(ctx context.Context, userID, code string) error {
	t, err := s.store.TOTPOf(ctx, userID)
	if errors.Is(err, ErrTOTPNotSet) || (err == nil && t.ConfirmedAt == nil) {
		return ErrMFANotSet
	}
	if err != nil {
		return err
	}
	step, err := s.matchTOTP(t, code)
	if err != nil {
		return err
	}
	if step <= t.LastStep {
		return ErrMFACodeUsed
	}
	won, err := s.store.UseTOTPStep(ctx, userID, step)
	if err != nil {
		return err
	}
	if !won {
		return ErrMFACodeUsed
	}
	return nil
}

// matchTOTP finds the time step code was made for, within the skew, or
// says it is wrong. Every candidate is compared, in constant time.
func (s *Service) matchTOTP(t TOTP, code string) (int64, error) {
	code, err := cleanCode(code)
	if err != nil {
		return 0, err
	}
	if s.seal == nil {
		return 0, errors.New("accounts: no seal key for TOTP secrets")
	}
	secret, err := s.seal.open(t.SecretSealed, t.UserID)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC().Unix() / totpPeriod
	var found int64 = -1
	for step := now - totpSkew; step <= now+totpSkew; step++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = step
		}
	}
	if found < 0 {
		return 0, ErrMFACodeWrong
	}
	return found, nil
}

// cleanCode allows the spaces apps show codes with, and nothing else.
func cleanCode(code string) (string, error) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return "", ErrTOTPCodeInvalid
	}
	return code, nil
}
