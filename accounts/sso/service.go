package sso

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/accounts"
)

// Accounts is what sso needs of the accounts domain.
type Accounts interface {
	User(ctx context.Context, id string) (accounts.User, error)
	CreateExternalUser(ctx context.Context, in accounts.ExternalUser) (accounts.User, error)
	ApplyMappedRole(ctx context.Context, u accounts.User, to accounts.Role) (accounts.User, error)
}

// Service configures organisations' providers and runs sign-ins through
// them.
type Service struct {
	store    Store
	accounts Accounts
	seal     *accounts.Sealer // nil: client secrets cannot be stored
	flows    map[Protocol]Flow
	now      func() time.Time
}

// requestTTL is how long a person has at their provider's page.
const requestTTL = 10 * time.Minute

// NewService makes the service. sealKey (32 bytes) seals client secrets.
func NewService(store Store, accts Accounts, sealKey []byte, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: store, accounts: accts, flows: map[Protocol]Flow{}, now: now}
	if seal, err := accounts.NewSealer(sealKey); err == nil {
		s.seal = seal
	}
	return s
}

// UseFlow serves a protocol with f.
func (s *Service) UseFlow(p Protocol, f Flow) { s.flows[p] = f }

// Metadata is what the range publishes of itself for a protocol (a SAML
// service provider's metadata); ErrProviderOff when it serves none.
func (s *Service) Metadata(p Protocol) ([]byte, error) {
	pub, ok := s.flows[p].(Publishes)
	if !ok {
		return nil, ErrProviderOff
	}
	return pub.Metadata()
}

// Providers lists an organisation's providers (every one when orgID is
// empty).
func (s *Service) Providers(ctx context.Context, orgID string) ([]Provider, error) {
	return s.store.Providers(ctx, orgID)
}

// Provider returns one provider.
func (s *Service) Provider(ctx context.Context, id string) (Provider, error) {
	return s.store.Provider(ctx, id)
}

// CreateProvider configures a new provider for an organisation.
func (s *Service) CreateProvider(ctx context.Context, orgID string, in ProviderInput) (Provider, error) {
	in, err := in.clean()
	if err != nil {
		return Provider{}, err
	}
	now := s.now().UTC()
	p := Provider{ID: newID(), OrganisationID: orgID, CreatedAt: now}
	if err := s.apply(&p, in, now); err != nil {
		return Provider{}, err
	}
	return p, s.store.CreateProvider(ctx, p)
}

// UpdateProvider changes a provider's configuration.
func (s *Service) UpdateProvider(ctx context.Context, id string, in ProviderInput) (Provider, error) {
	p, err := s.store.Provider(ctx, id)
	if err != nil {
		return Provider{}, err
	}
	in.Protocol = p.Protocol // a provider's protocol is what it is
	if in, err = in.clean(); err != nil {
		return Provider{}, err
	}
	if err := s.apply(&p, in, s.now().UTC()); err != nil {
		return Provider{}, err
	}
	return p, s.store.UpdateProvider(ctx, p)
}

// DeleteProvider removes a provider; the identities linked through it
// stay, so its people keep their accounts.
func (s *Service) DeleteProvider(ctx context.Context, id string) error {
	return s.store.DeleteProvider(ctx, id)
}

func (s *Service) apply(p *Provider, in ProviderInput, now time.Time) error {
	p.Name, p.Protocol, p.Enabled = in.Name, in.Protocol, in.Enabled
	p.Issuer, p.ClientID = in.Issuer, in.ClientID
	p.Metadata, p.MetadataURL = in.Metadata, in.MetadataURL
	p.AllowedDomains, p.RoleClaim, p.InstructorValues, p.Logout = in.AllowedDomains, in.RoleClaim, in.InstructorValues, in.Logout
	p.UpdatedAt = now
	if in.ClientSecret != "" {
		if s.seal == nil {
			return ErrSecretMissing
		}
		p.SealedSecret = s.seal.Seal(in.ClientSecret, p.ID)
	}
	return nil
}

// secret opens a provider's client secret; none stored is "".
func (s *Service) secret(p Provider) (string, error) {
	if p.SealedSecret == "" {
		return "", nil
	}
	if s.seal == nil {
		return "", ErrSecretMissing
	}
	plain, err := s.seal.Open(p.SealedSecret, p.ID)
	if err != nil {
		return "", errors.Join(ErrSecretMissing, err)
	}
	return plain, nil
}

// Settings is an organisation's sign-in configuration as admins see it.
type Settings struct {
	PasswordsOff bool
	Providers    []Provider
	Failures     []Failure
}

// failuresShown is how many recent failures admins see.
const failuresShown = 20

// Settings returns an organisation's providers, password switch and latest
// failures.
func (s *Service) Settings(ctx context.Context, orgID string) (Settings, error) {
	off, err := s.store.PasswordsOff(ctx, orgID)
	if err != nil {
		return Settings{}, err
	}
	ps, err := s.store.Providers(ctx, orgID)
	if err != nil {
		return Settings{}, err
	}
	fs, err := s.store.Failures(ctx, orgID, failuresShown)
	if err != nil {
		return Settings{}, err
	}
	return Settings{PasswordsOff: off, Providers: ps, Failures: fs}, nil
}

// SetPasswordsOff switches an organisation's local passwords off or on.
func (s *Service) SetPasswordsOff(ctx context.Context, orgID string, off bool) error {
	return s.store.SetPasswordsOff(ctx, orgID, off)
}

// CheckPasswordSignIn refuses a password sign-in by a member of an
// organisation that signs its people in through its providers. Range
// admins may always use their password, so no setting locks them out.
func (s *Service) CheckPasswordSignIn(ctx context.Context, u accounts.User) error {
	if u.Role == accounts.RoleAdmin {
		return nil
	}
	off, err := s.store.PasswordsOffFor(ctx, u.ID)
	if err != nil {
		return err
	}
	if off {
		return ErrPasswordsOff
	}
	return nil
}

// Identities lists the providers linked to an account.
func (s *Service) Identities(ctx context.Context, userID string) ([]Identity, error) {
	return s.store.Identities(ctx, userID)
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// NewSecret returns 32 random bytes as URL-safe text: a state, nonce or
// PKCE verifier.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
