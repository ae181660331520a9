// Package partners is the range's side of its partners' systems: the API
// tokens a university or academy pulls with, scoped to one organisation,
// and the record feed they sync from. Which organisation's work a token
// may read is decided here; the web edge only asks. It knows nothing of
// HTTP or SQL.
package partners

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Scope is one thing a token may do.
type Scope string

const (
	ReadRoster   Scope = "read:roster"   // cohorts, members, assignments
	WriteRoster  Scope = "write:roster"  // add and remove cohort members
	ReadProgress Scope = "read:progress" // assignment statuses, progress, cohort summaries
	ReadRecords  Scope = "read:records"  // the record feed and record exports
)

// Scopes is every scope, in the order they are shown.
var Scopes = []Scope{ReadRoster, WriteRoster, ReadProgress, ReadRecords}

// Token is a partner's API token. Only the hash of its secret is kept.
type Token struct {
	ID             string
	OrganisationID string
	Name           string
	Scopes         []Scope
	CreatedBy      string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	LastUsedAt     *time.Time
	RevokedAt      *time.Time
}

// Has reports whether the token carries scope s.
func (t Token) Has(s Scope) bool { return slices.Contains(t.Scopes, s) }

// Live reports whether the token may be used at now.
func (t Token) Live(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

// Token lifetimes: a token always expires, at most a year after it is made.
const (
	MaxLifetime     = 366 * 24 * time.Hour
	maxNameLength   = 80
	secretPrefix    = "skp_"
	secretRandBytes = 32
)

// NewToken is what an org admin fills in to make a token.
type NewToken struct {
	Name      string
	Scopes    []string
	ExpiresAt time.Time
}

func (in NewToken) clean(now time.Time) (string, []Scope, time.Time, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || len([]rune(name)) > maxNameLength || strings.ContainsFunc(name, isControl) {
		return "", nil, time.Time{}, ErrTokenNameInvalid
	}
	var scopes []Scope
	for _, s := range in.Scopes {
		sc := Scope(s)
		if !slices.Contains(Scopes, sc) {
			return "", nil, time.Time{}, ErrScopeUnknown
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		return "", nil, time.Time{}, ErrScopeUnknown
	}
	exp := in.ExpiresAt.UTC()
	if !exp.After(now) || exp.Sub(now) > MaxLifetime {
		return "", nil, time.Time{}, ErrExpiryInvalid
	}
	return name, scopes, exp, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// newSecret makes a token secret: a fixed prefix, so leaked secrets are
// easy to find in logs and repositories, then 256 random bits.
func newSecret() string {
	b := make([]byte, secretRandBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand's promise since Go 1.24)
	return secretPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// HashSecret is what the store keeps and looks a token up by. The secret
// is random, so a plain hash is enough: there is nothing to guess.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// LooksLikeSecret reports whether s has the shape of a token secret, so
// other bearer tokens are not looked up at all.
func LooksLikeSecret(s string) bool { return strings.HasPrefix(s, secretPrefix) && len(s) < 128 }

// The faults tokens get. A refused token says which refusal it is, so an
// integrator can tell an expired token from a mistyped one; another
// organisation's things are not found, never forbidden.
var (
	ErrTokenNameInvalid = fault.InvalidField("name", "partner_token_name_invalid", "Name the token in 1 to 80 characters.")
	ErrScopeUnknown     = fault.InvalidField("scopes", "partner_scope_invalid", "Give one or more of read:roster, write:roster, read:progress, read:records.")
	ErrExpiryInvalid    = fault.InvalidField("expires_at", "partner_token_expiry_invalid", "A token expires after now and within a year.")
	ErrTokenNotFound    = fault.New(fault.NotFound, "partner_token_not_found", "No such partner token.")
	ErrTokenMissing     = fault.New(fault.Unauthenticated, "partner_token_missing", "Send a partner token as Authorization: Bearer skp_….")
	ErrTokenUnknown     = fault.New(fault.Unauthenticated, "partner_token_invalid", "This partner token is not one the range issued.")
	ErrTokenRevoked     = fault.New(fault.Unauthenticated, "partner_token_revoked", "This partner token has been revoked.")
	ErrTokenExpired     = fault.New(fault.Unauthenticated, "partner_token_expired", "This partner token has expired; ask your organisation's admin for a new one.")
	ErrScopeMissing     = fault.New(fault.Unauthenticated, "partner_scope_missing", "This partner token does not carry the scope this call needs.")
	ErrTraineeNotFound  = fault.New(fault.NotFound, "trainee_not_found", "No such trainee in your organisation's cohorts.")
)
