package accounts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

const maxPasskeyName = 60

// newRelyingParty sets up WebAuthn for the range at publicURL: the relying
// party id is its host name and the only accepted origin is the URL's own,
// so a passkey made for the range works nowhere else.
func newRelyingParty(publicURL string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(publicURL)
	if err != nil || u.Hostname() == "" {
		return nil, errors.New("accounts: passkeys need a public URL with a host name")
	}
	return webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "Sakimori",
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL},
		},
	})
}

// passkeyHolder is a person as the WebAuthn library sees them.
type passkeyHolder struct {
	user  User
	creds []webauthn.Credential
}

func (h passkeyHolder) WebAuthnID() []byte                         { return []byte(h.user.ID) }
func (h passkeyHolder) WebAuthnName() string                       { return h.user.Email }
func (h passkeyHolder) WebAuthnDisplayName() string                { return h.user.DisplayName }
func (h passkeyHolder) WebAuthnCredentials() []webauthn.Credential { return h.creds }

func (s *Service) holder(ctx context.Context, u User) (passkeyHolder, []Passkey, error) {
	keys, err := s.store.PasskeysOf(ctx, u.ID)
	if err != nil {
		return passkeyHolder{}, nil, err
	}
	h := passkeyHolder{user: u}
	for _, k := range keys {
		var c webauthn.Credential
		if err := json.Unmarshal(k.Credential, &c); err != nil {
			return passkeyHolder{}, nil, err
		}
		h.creds = append(h.creds, c)
	}
	return h, keys, nil
}

// PasskeyCeremony is an open WebAuthn ceremony: the options the browser
// passes to navigator.credentials, and the handle that finishes it.
type PasskeyCeremony struct {
	Handle  string
	Options json.RawMessage
}

// BeginPasskey starts registering a new passkey for u.
func (s *Service) BeginPasskey(ctx context.Context, u User) (PasskeyCeremony, error) {
	if s.relyingParty == nil {
		return PasskeyCeremony{}, ErrPasskeysOff
	}
	h, _, err := s.holder(ctx, u)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range h.creds {
		exclude = append(exclude, c.Descriptor())
	}
	options, session, err := s.relyingParty.BeginRegistration(h,
		webauthn.WithExclusions(exclude),
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementPreferred),
	)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	return s.openPasskeyCeremony(ctx, u.ID, purposeRegistering, "", options, session)
}

// openPasskeyCeremony keeps session server-side under a new ceremony, or
// under the sign-in step whose handle is given.
func (s *Service) openPasskeyCeremony(ctx context.Context, userID, purpose, signIn string, options any, session *webauthn.SessionData) (PasskeyCeremony, error) {
	state, err := json.Marshal(session)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	opts, err := json.Marshal(options)
	if err != nil {
		return PasskeyCeremony{}, err
	}
	if signIn != "" {
		return PasskeyCeremony{Handle: signIn, Options: opts}, s.store.SetCeremonyState(ctx, hashSecret(signIn), state)
	}
	handle, c := s.newCeremony(userID, purpose)
	c.State = state
	if err := s.store.CreateCeremony(ctx, c, s.now().UTC()); err != nil {
		return PasskeyCeremony{}, err
	}
	return PasskeyCeremony{Handle: handle, Options: opts}, nil
}

// FinishPasskey checks the browser's answer to BeginPasskey and keeps the
// new passkey under name.
func (s *Service) FinishPasskey(ctx context.Context, u User, handle, name string, answer []byte) (Passkey, error) {
	if s.relyingParty == nil {
		return Passkey{}, ErrPasskeysOff
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Passkey"
	}
	if utf8.RuneCountInString(name) > maxPasskeyName {
		return Passkey{}, ErrPasskeyNameTooLong
	}
	c, err := s.openCeremony(ctx, handle, purposeRegistering, u.ID)
	if err != nil {
		return Passkey{}, err
	}
	won, err := s.store.EndCeremony(ctx, c.HandleHash) // one answer per ceremony, right or wrong
	if err != nil {
		return Passkey{}, err
	}
	if !won {
		return Passkey{}, ErrRegistrationOver
	}
	var session webauthn.SessionData
	if err := json.Unmarshal(c.State, &session); err != nil {
		return Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(answer)
	if err != nil {
		return Passkey{}, ErrPasskeyInvalid
	}
	h, _, err := s.holder(ctx, u)
	if err != nil {
		return Passkey{}, err
	}
	cred, err := s.relyingParty.CreateCredential(h, session, parsed)
	if err != nil {
		return Passkey{}, ErrPasskeyNotMade
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return Passkey{}, err
	}
	p := Passkey{
		ID: newID(), UserID: u.ID, CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID),
		Name: name, Credential: record, CreatedAt: s.now().UTC(),
	}
	return p, s.store.CreatePasskey(ctx, p)
}

// RemovePasskey deletes one of u's passkeys.
func (s *Service) RemovePasskey(ctx context.Context, u User, id string, p Proof) error {
	st, err := s.MFAStatus(ctx, u)
	if err != nil {
		return err
	}
	found := false
	for _, k := range st.Passkeys {
		found = found || k.ID == id
	}
	if !found {
		return ErrPasskeyNotFound
	}
	if err := s.prove(ctx, u, p); err != nil {
		return err
	}
	if st.Required && !st.TOTP && len(st.Passkeys) == 1 {
		return ErrMFARequiredByRole
	}
	ok, err := s.store.DeletePasskey(ctx, u.ID, id)
	if err != nil {
		return err
	}
	if !ok {
		return ErrPasskeyNotFound
	}
	return nil
}
