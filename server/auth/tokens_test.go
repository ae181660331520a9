package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/sakimori/sakimori/accounts"
)

const issuer = "http://localhost:8080"

func newKey(t *testing.T, id string) Key {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Key{ID: id, Private: priv}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var alice = accounts.User{ID: "u-alice", DisplayName: "Alice", Role: accounts.RoleTrainee}

func TestIssueAndVerify(t *testing.T) {
	tokens, _ := NewTokens([]Key{newKey(t, "k1")}, issuer, 10*time.Minute, nil)
	raw, exp, err := tokens.Issue(alice)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 9*time.Minute || d > 11*time.Minute {
		t.Fatalf("expiry %v from now, want about 10m", d)
	}
	p, err := tokens.Verify(raw)
	if err != nil || p.UserID != "u-alice" || p.Role != accounts.RoleTrainee || p.Name != "Alice" {
		t.Fatalf("Verify = %+v, %v", p, err)
	}
}

func TestRotatedKeysStillVerify(t *testing.T) {
	old, current := newKey(t, "old"), newKey(t, "new")
	before, _ := NewTokens([]Key{old}, issuer, time.Minute, nil)
	raw, _, _ := before.Issue(alice)
	after, _ := NewTokens([]Key{old, current}, issuer, time.Minute, nil)
	if _, err := after.Verify(raw); err != nil {
		t.Fatalf("token from the previous key refused after rotation: %v", err)
	}
	fresh, _, _ := after.Issue(alice)
	if kid := headerOf(t, fresh)["kid"]; kid != "new" {
		t.Fatalf("signed with kid %v, want the newest key", kid)
	}
}

// TestHostileTokens covers docs/security.md case 7: every one must be refused
// with a 401-kind fault and none may panic.
func TestHostileTokens(t *testing.T) {
	key := newKey(t, "k1")
	clk := &clock{t: time.Now()}
	tokens, _ := NewTokens([]Key{key}, issuer, 10*time.Minute, clk.now)
	valid := func(mutate func(*Claims)) Claims {
		now := clk.t.Truncate(time.Second)
		c := Claims{Role: accounts.RoleAdmin, Name: "Mallory", RegisteredClaims: jwt.RegisteredClaims{
			Issuer: issuer, Subject: "u-mallory", Audience: jwt.ClaimStrings{Audience},
			IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)),
		}}
		if mutate != nil {
			mutate(&c)
		}
		return c
	}
	sign := func(c Claims, k Key) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tok.Header["kid"] = k.ID
		s, err := tok.SignedString(k.Private)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pub := key.Private.Public().(ed25519.PublicKey)

	cases := map[string]struct {
		token string
		want  error
	}{
		"alg none": {token: func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, valid(nil))
			tok.Header["kid"] = "k1"
			s, _ := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}(), want: ErrTokenInvalid},
		"HS256 keyed with the public key": {token: func() string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, valid(nil))
			tok.Header["kid"] = "k1"
			s, _ := tok.SignedString([]byte(pub))
			return s
		}(), want: ErrTokenInvalid},
		"expired": {token: sign(valid(func(c *Claims) {
			c.ExpiresAt = jwt.NewNumericDate(clk.t.Add(-time.Minute))
		}), key), want: ErrTokenExpired},
		"no expiry": {token: sign(valid(func(c *Claims) { c.ExpiresAt = nil }), key), want: ErrTokenInvalid},
		"issued in the future": {token: sign(valid(func(c *Claims) {
			c.IssuedAt = jwt.NewNumericDate(clk.t.Add(time.Hour))
		}), key), want: ErrTokenInvalid},
		"wrong audience": {token: sign(valid(func(c *Claims) { c.Audience = jwt.ClaimStrings{"other-api"} }), key), want: ErrTokenInvalid},
		"wrong issuer":   {token: sign(valid(func(c *Claims) { c.Issuer = "https://evil.example" }), key), want: ErrTokenInvalid},
		"unknown kid":    {token: sign(valid(nil), Key{ID: "k9", Private: key.Private}), want: ErrTokenInvalid},
		"missing kid": {token: func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodEdDSA, valid(nil)).SignedString(key.Private)
			return s
		}(), want: ErrTokenInvalid},
		"forged with another key under a known kid": {token: sign(valid(nil), Key{ID: "k1", Private: newKey(t, "x").Private}), want: ErrTokenInvalid},
		"unknown role":        {token: sign(valid(func(c *Claims) { c.Role = "root" }), key), want: ErrTokenInvalid},
		"no subject":          {token: sign(valid(func(c *Claims) { c.Subject = "" }), key), want: ErrTokenInvalid},
		"huge header":         {token: hugeHeaderToken(), want: ErrTokenInvalid},
		"garbage":             {token: "not.a.jwt", want: ErrTokenInvalid},
		"three dots":          {token: "...", want: ErrTokenInvalid},
		"empty":               {token: "", want: ErrTokenMissing},
		"bad base64":          {token: "eyJ!!!.eyJ!!!.sig", want: ErrTokenInvalid},
		"header is JSON null": {token: b64("null") + "." + b64("{}") + ".x", want: ErrTokenInvalid},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := tokens.Verify(tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestExpiryLeewayIsSmall(t *testing.T) {
	clk := &clock{t: time.Now()}
	tokens, _ := NewTokens([]Key{newKey(t, "k1")}, issuer, time.Minute, clk.now)
	raw, _, _ := tokens.Issue(alice)
	clk.t = clk.t.Add(time.Minute + 10*time.Second)
	if _, err := tokens.Verify(raw); err != nil {
		t.Fatalf("10s past expiry should be within leeway: %v", err)
	}
	clk.t = clk.t.Add(time.Minute)
	if _, err := tokens.Verify(raw); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("70s past expiry: %v, want expired", err)
	}
}

func hugeHeaderToken() string {
	header := `{"alg":"EdDSA","kid":"` + strings.Repeat("A", 1<<20) + `"}`
	return b64(header) + "." + b64(`{"sub":"x"}`) + ".sig"
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func headerOf(t *testing.T, raw string) map[string]any {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(raw, &Claims{})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Header
}

func TestEnrolmentTokensAreShortAndMarked(t *testing.T) {
	tokens, _ := NewTokens([]Key{newKey(t, "k1")}, issuer, time.Hour, nil)
	raw, exp, err := tokens.IssueEnrolment(alice)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d > 11*time.Minute {
		t.Errorf("an enrolment token lives %s", d)
	}
	p, err := tokens.Verify(raw)
	if err != nil || !p.Enrolling || p.UserID != alice.ID {
		t.Fatalf("Verify = %+v, %v", p, err)
	}
	full, _, _ := tokens.Issue(alice)
	if p, _ := tokens.Verify(full); p.Enrolling {
		t.Fatal("a full token reads as an enrolment token")
	}
}
