// Package sso signs people in through their organisation's identity
// provider, over OpenID Connect or SAML 2.0. An organisation configures its
// providers here; a person signing in through one is known by the
// provider's name for them, (issuer, subject), and never by email alone:
// an email only decides whether a new account may be made, and a person
// who already has an account links the provider to it after signing in.
// The protocols themselves live in their own packages (sso/oidc, and SAML
// beside it), behind Flow. It knows nothing of HTTP or SQL.
package sso

import (
	"context"
	"net/url"
	"time"
)

// Protocol is how a provider speaks to the range.
type Protocol string

const (
	OIDC Protocol = "oidc"
	SAML Protocol = "saml"
)

// Provider is one organisation's identity provider.
type Provider struct {
	ID             string
	OrganisationID string
	Name           string // what the sign-in page shows, e.g. "Tokyo Tech"
	Protocol       Protocol
	Enabled        bool

	// Issuer is the OpenID issuer URL, or the SAML IdP's entity id.
	Issuer   string
	ClientID string
	// SealedSecret is the OIDC client secret, sealed to the provider's id;
	// the plain secret is only ever held while a flow runs.
	SealedSecret string
	// Metadata is a SAML IdP's metadata XML, or empty to fetch MetadataURL.
	Metadata    string
	MetadataURL string

	// AllowedDomains, when any, are the email domains a new account may
	// have; a person whose verified email is elsewhere is refused.
	AllowedDomains []string
	// RoleClaim names the claim (or SAML attribute) whose values decide a
	// role; a person with any of InstructorValues in it is an instructor.
	RoleClaim        string
	InstructorValues []string
	// Logout sends a person signing out to the provider's end-session page.
	Logout bool

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Claims is what a provider said about the person, whatever the protocol.
type Claims struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	DisplayName   string
	Roles         []string // the values of the provider's RoleClaim
	// MultiFactor says the provider asserts it checked more than one
	// factor (OIDC amr, SAML AuthnContextClassRef): only then does the
	// sign-in stand in for the range's own second factor.
	MultiFactor bool
	// IDToken is kept for an RP-initiated logout's hint (OIDC only).
	IDToken string
}

// Identity links a provider's name for a person to their account.
type Identity struct {
	Issuer     string
	Subject    string
	UserID     string
	ProviderID string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Request is one sign-in in flight: made when the person is sent to the
// provider, taken (once) when they come back. Its ID is the OIDC state or
// the SAML request id.
type Request struct {
	ID         string
	ProviderID string
	Nonce      string // OIDC
	Verifier   string // OIDC PKCE code verifier
	LinkUserID string // set when a signed-in person links the provider
	ReturnTo   string // a path on the range
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// Failure is one refused sign-in, kept so admins see what went wrong.
type Failure struct {
	ID         string
	ProviderID string
	At         time.Time
	Code       string
	Message    string // plain words, as the person was told
	Detail     string // what the protocol library said, for the admin
}

// Flow is one protocol's half of a sign-in: where to send the person, and
// what their return proves. Implementations check everything the protocol
// asks (signatures, audience, issuer, times, nonce) and return a *fault
// error saying what failed; the Service records it.
type Flow interface {
	// Begin fills the request's protocol fields and returns where to send
	// the person. secret is the provider's plain client secret, if any.
	Begin(ctx context.Context, p Provider, secret string, r *Request) (string, error)
	// Finish checks what the provider sent back for r.
	Finish(ctx context.Context, p Provider, secret string, r Request, reply url.Values) (Claims, error)
}

// Publishes is what a Flow with metadata of its own (SAML) also does.
type Publishes interface {
	Metadata() ([]byte, error)
}

// Logouts is what a Flow that supports RP-initiated logout also does.
type Logouts interface {
	LogoutURL(ctx context.Context, p Provider, idToken, returnTo string) (string, error)
}
