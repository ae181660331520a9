// Package auth turns sign-in sessions into short-lived access tokens and
// checks them on every API request. Tokens are JWTs signed with Ed25519
// (EdDSA), the only algorithm accepted; the key is chosen by the token's kid
// from a fixed set, and issuer, audience and expiry are always checked.
package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// Audience is the aud claim of every access token this server issues.
const Audience = "sakimori-api"

// maxTokenLength refuses oversized tokens before any parsing or decoding.
const maxTokenLength = 2048

// Key is one signing key and its id.
type Key struct {
	ID      string
	Private ed25519.PrivateKey
}

// Claims are what an access token says about its holder.
type Claims struct {
	Role accounts.Role `json:"role"`
	Name string        `json:"name"`
	// Scope limits a token: ScopeEnrolment allows only setting up a
	// second factor. Empty is a full token.
	Scope string `json:"scope,omitempty"`
	jwt.RegisteredClaims
}

// Principal is the signed-in person a request acts for.
type Principal struct {
	UserID string
	Role   accounts.Role
	Name   string
	// Enrolling: the token allows only setting up a second factor.
	Enrolling bool
}

// ScopeEnrolment marks a token given to a person whose role requires a
// second factor they do not have yet: it lets them set one up, nothing else.
const ScopeEnrolment = "mfa_enrolment"

// enrolmentTTL bounds an enrolment token's life whatever the access TTL.
const enrolmentTTL = 10 * time.Minute

// Tokens issues and verifies access tokens.
type Tokens struct {
	signing Key
	public  map[string]ed25519.PublicKey
	issuer  string
	ttl     time.Duration
	now     func() time.Time
	parser  *jwt.Parser
}

// NewTokens makes an issuer and verifier. The last key signs; every key
// verifies. now may be nil for the wall clock.
func NewTokens(keys []Key, issuer string, ttl time.Duration, now func() time.Time) (*Tokens, error) {
	if len(keys) == 0 {
		return nil, errors.New("auth: no signing keys")
	}
	if now == nil {
		now = time.Now
	}
	public := make(map[string]ed25519.PublicKey, len(keys))
	for _, k := range keys {
		public[k.ID] = k.Private.Public().(ed25519.PublicKey)
	}
	return &Tokens{
		signing: keys[len(keys)-1],
		public:  public,
		issuer:  issuer,
		ttl:     ttl,
		now:     now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(30*time.Second),
			jwt.WithTimeFunc(now),
		),
	}, nil
}

// Issue signs an access token for u and returns it with its expiry.
func (t *Tokens) Issue(u accounts.User) (string, time.Time, error) {
	return t.issue(u, "", t.ttl)
}

// IssueEnrolment signs a token that lets u set up a second factor and do
// nothing else.
func (t *Tokens) IssueEnrolment(u accounts.User) (string, time.Time, error) {
	return t.issue(u, ScopeEnrolment, min(t.ttl, enrolmentTTL))
}

func (t *Tokens) issue(u accounts.User, scope string, ttl time.Duration) (string, time.Time, error) {
	now := t.now().UTC().Truncate(time.Second)
	exp := now.Add(ttl)
	claims := Claims{
		Role:  u.Role,
		Name:  u.DisplayName,
		Scope: scope,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   u.ID,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        tokenID(),
		},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	tok.Header["kid"] = t.signing.ID
	signed, err := tok.SignedString(t.signing.Private)
	return signed, exp, err
}

// The faults a bad token gets. Expired is told apart so clients know a
// refresh will help; everything else is one "invalid" so attackers learn
// nothing about why.
var (
	ErrTokenMissing = fault.New(fault.Unauthenticated, "token_missing", "Sign in to continue.")
	ErrTokenExpired = fault.New(fault.Unauthenticated, "token_expired", "Your access token has expired; refresh it.")
	ErrTokenInvalid = fault.New(fault.Unauthenticated, "token_invalid", "The access token is not valid.")
	ErrForbidden    = fault.New(fault.Forbidden, "forbidden", "Your role does not allow this.")
	ErrEnrolFirst   = fault.New(fault.Forbidden, "mfa_enrolment_required", "Your role requires a second factor: set up an authenticator app or a passkey, then sign in again.")
)

// Verify checks a token and returns who it speaks for.
func (t *Tokens) Verify(raw string) (Principal, error) {
	if raw == "" {
		return Principal{}, ErrTokenMissing
	}
	if len(raw) > maxTokenLength {
		return Principal{}, ErrTokenInvalid
	}
	var claims Claims
	_, err := t.parser.ParseWithClaims(raw, &claims, t.keyFor)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return Principal{}, ErrTokenExpired
	case err != nil:
		return Principal{}, fault.Wrap(ErrTokenInvalid, err)
	}
	if claims.Subject == "" || !claims.Role.Valid() || (claims.Scope != "" && claims.Scope != ScopeEnrolment) {
		return Principal{}, ErrTokenInvalid
	}
	return Principal{UserID: claims.Subject, Role: claims.Role, Name: claims.Name, Enrolling: claims.Scope == ScopeEnrolment}, nil
}

// keyFor picks the verification key named by the token's kid. The parser
// has already refused any algorithm but EdDSA, so an HMAC token keyed with
// this public key (the HS/RS confusion attack) never reaches here.
func (t *Tokens) keyFor(tok *jwt.Token) (any, error) {
	kid, ok := tok.Header["kid"].(string)
	if !ok {
		return nil, errors.New("no kid")
	}
	key, ok := t.public[kid]
	if !ok {
		return nil, errors.New("unknown kid")
	}
	return key, nil
}

func tokenID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
