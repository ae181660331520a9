package idp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// The OpenID Connect provider is Okta's org authorization server: its
// issuer is the org's URL and its endpoints live under /oauth2/v1. Only
// the authorization code flow is served, with client_secret_basic or
// client_secret_post and optional PKCE (S256).
const (
	codeTTL  = 60 * time.Second
	tokenTTL = time.Hour // access and ID tokens alike, Okta's default
)

// scopes the IdP grants; any other is refused, as Okta refuses scopes its
// authorization server does not define.
var scopes = []string{"openid", "profile", "email"}

// signingKey signs ID tokens. It is made at start: a lab's IdP is new on
// each launch, and relying parties fetch its keys by kid.
type signingKey struct {
	kid    string
	public *rsa.PublicKey
	signer jose.Signer
}

func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	thumb, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	kid := base64.RawURLEncoding.EncodeToString(thumb)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	return &signingKey{kid: kid, public: &priv.PublicKey, signer: signer}, nil
}

func (k *signingKey) sign(claims any) (string, error) {
	return jwt.Signed(k.signer).Claims(claims).Serialize()
}

// idClaims are an Okta ID token's claims.
type idClaims struct {
	Issuer            string   `json:"iss"`
	Subject           string   `json:"sub"`
	Audience          string   `json:"aud"`
	Expiry            int64    `json:"exp"`
	IssuedAt          int64    `json:"iat"`
	AuthTime          int64    `json:"auth_time"`
	AMR               []string `json:"amr"`
	Email             string   `json:"email"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	SID               string   `json:"sid"`
	Nonce             string   `json:"nonce,omitempty"`
	ATHash            string   `json:"at_hash"`
	JTI               string   `json:"jti"`
	Version           int      `json:"ver"`
}

// atHash binds an ID token to the access token issued with it (OpenID
// Connect Core 3.1.3.6): the left half of its SHA-256.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	iss := s.issuerFor(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/oauth2/v1/authorize",
		"token_endpoint":                        iss + "/oauth2/v1/token",
		"userinfo_endpoint":                     iss + "/oauth2/v1/userinfo",
		"jwks_uri":                              iss + "/oauth2/v1/keys",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      scopes,
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "amr", "email", "email_verified",
			"name", "preferred_username", "sid", "nonce", "at_hash"},
	})
}

func (s *Server) serveKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: s.keys.public, KeyID: s.keys.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

func validScopes(requested []string) bool {
	if !slices.Contains(requested, "openid") {
		return false
	}
	for _, sc := range requested {
		if !slices.Contains(scopes, sc) {
			return false
		}
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
