package accounts

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// BeginSignInPasskey opens a WebAuthn assertion for a sign-in step.
func (s *Service) BeginSignInPasskey(ctx context.Context, challenge string) (PasskeyCeremony, error) {
	if s.relyingParty == nil {
		return PasskeyCeremony{}, ErrPasskeysOff
	}
	c, err := s.openCeremony(ctx, challenge, purposeSignIn, "")
	if err != nil {
		return PasskeyCeremony{}, err
	}
	u, err := s.store.UserByID(ctx, c.UserID)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	h, _, err := s.holder(ctx, u)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if len(h.creds) == 0 {
		return PasskeyCeremony{}, ErrMFANotSet
	}
	options, session, err := s.relyingParty.BeginLogin(h)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return s.openPasskeyCeremony(ctx, u.ID, purposeSignIn, challenge, options, session)
}

// FinishSignInPasskey completes a sign-in step with the browser's answer
// to BeginSignInPasskey and returns who signed in.
func (s *Service) FinishSignInPasskey(ctx context.Context, challenge string, answer []byte) (User, error) {
	if s.relyingParty == nil {
		return User{}, ErrPasskeysOff
	}
	c, err := s.openCeremony(ctx, challenge, purposeSignIn, "")
	if err != nil {
		return User{}, err
	}
	if len(c.State) == 0 {
		return User{}, ErrChallengeInvalid // no assertion was begun
	}
	var session webauthn.SessionData
	if err := json.Unmarshal(c.State, &session); err != nil {
		return User{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
	if err != nil {
		return User{}, s.ceremonyFailed(ctx, c, ErrPasskeyInvalid)
	}
	u, err := s.store.UserByID(ctx, c.UserID)
	if err != nil {
		return User{}, err
	}
	h, keys, err := s.holder(ctx, u)
	if err != nil {
		return User{}, err
	}
	cred, err := s.relyingParty.ValidateLogin(h, session, parsed)
	if err != nil {
		return User{}, s.ceremonyFailed(ctx, c, ErrPasskeyRefused)
	}
	if err := s.passkeyUsed(ctx, keys, cred); err != nil {
		return User{}, err
	}
	return s.finishSignIn(ctx, c)
}

// passkeyUsed keeps the credential's new signature counter.
func (s *Service) passkeyUsed(ctx context.Context, keys []Passkey, cred *webauthn.Credential) error {
	id := base64.RawURLEncoding.EncodeToString(cred.ID)
	record, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.CredentialID == id {
			return s.store.PasskeyUsed(ctx, k.ID, record, s.now().UTC())
		}
	}
	return ErrPasskeyRefused
}

// BeginPasskeyOnly opens a sign-in with a passkey alone, no password: the
// browser offers the person's passkeys for the range, and the one chosen
// names its person. Passkeys are a second factor by themselves (something
// held, unlocked by something known or something one is), so user
// verification is required.
func (s *Service) BeginPasskeyOnly(ctx context.Context) (PasskeyCeremony, error) {
	if s.relyingParty == nil {
		return PasskeyCeremony{}, ErrPasskeysOff
	}
	options, session, err := s.relyingParty.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return s.openPasskeyCeremony(ctx, "", purposePasskeyOnly, "", options, session)
}

// FinishPasskeyOnly checks the browser's answer to BeginPasskeyOnly and
// returns who signed in. The ceremony is used once, right or wrong.
func (s *Service) FinishPasskeyOnly(ctx context.Context, handle string, answer []byte) (User, error) {
	if s.relyingParty == nil {
		return User{}, ErrPasskeysOff
	}
	c, err := s.openCeremony(ctx, handle, purposePasskeyOnly, "")
	if err != nil {
		return User{}, err
	}
	won, err := s.store.EndCeremony(ctx, c.HandleHash)
	if err != nil {
		return User{}, err
	}
	if !won {
		return User{}, ErrChallengeInvalid
	}
	var session webauthn.SessionData
	if err := json.Unmarshal(c.State, &session); err != nil {
		return User{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
	if err != nil {
		return User{}, ErrPasskeyInvalid
	}
	var keys []Passkey
	found, cred, err := s.relyingParty.ValidatePasskeyLogin(func(_, userHandle []byte) (webauthn.User, error) {
		u, err := s.store.UserByID(ctx, string(userHandle))
		if err != nil {
			return nil, err
		}
		h, k, err := s.holder(ctx, u)
		keys = k
		return h, err
	}, session, parsed)
	if err != nil {
		return User{}, ErrPasskeyRefused
	}
	u := found.(passkeyHolder).user
	if err := s.passkeyUsed(ctx, keys, cred); err != nil {
		return User{}, err
	}
	if u.Disabled() {
		return User{}, ErrAccountDisabled
	}
	return u, nil
}
