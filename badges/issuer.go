package badges

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Issuer signs the range's credentials with its current key. It is a
// value made per request from the stored key: no state of its own.
type Issuer struct {
	URLs URLs
	Name string // the issuing organisation's name, shown on the badge
	Kid  string // the current key's id
	Key  ed25519.PrivateKey
}

func (i Issuer) signer() Signer { return Signer{Method: i.URLs.Key(i.Kid), Key: i.Key} }

// Credential is an award's OpenBadgeCredential with its embedded
// eddsa-rdfc-2022 DataIntegrityProof, created at the award's issue time so
// the same award always yields the same credential.
func (i Issuer) Credential(a Award) (map[string]any, error) {
	return attachProof(credentialJSON(i.URLs, i.Name, a), i.signer(), a.Issued)
}

// JWT is the same credential secured as VC-JOSE-COSE: a JWS (alg EdDSA,
// typ vc+jwt) whose payload is the unsigned credential.
func (i Issuer) JWT(a Award) (string, error) {
	payload, err := json.Marshal(credentialJSON(i.URLs, i.Name, a))
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("vc+jwt").WithContentType("vc").
		WithHeader("kid", i.URLs.Key(i.Kid))
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: i.Key}, opts)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// StatusListCredential is the signed BitstringStatusListCredential with the
// bits of the revoked awards set.
func (i Issuer) StatusListCredential(revoked []int, at time.Time) (map[string]any, error) {
	list, err := EncodeStatusList(revoked)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{
		"@context":  []any{CredentialsContext},
		"id":        i.URLs.StatusList(),
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    i.URLs.Issuer(),
		"validFrom": at.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id":            i.URLs.StatusList() + "#list",
			"type":          "BitstringStatusList",
			"statusPurpose": "revocation",
			"encodedList":   list,
		},
	}
	return attachProof(doc, i.signer(), at)
}

// PublicKey is a key the issuer has signed with, current or retired: a
// verifier needs every one that signed a credential still held.
type PublicKey struct {
	Kid string
	Key ed25519.PublicKey
}

// IssuerDocument is served at the issuer's id. It is both the issuer's
// Open Badges Profile (its name and origin) and its controller document,
// naming the keys that may assert credentials for it. The DID v1 context
// comes first and gives assertionMethod its meaning, though the issuer is
// an https URL: verifiers read such a document as it is, without framing.
func (u URLs) IssuerDocument(name string, keys []PublicKey) map[string]any {
	methods := make([]any, 0, len(keys))
	for _, k := range keys {
		methods = append(methods, u.Key(k.Kid))
	}
	return map[string]any{
		"@context": []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
			CredentialsContext, OpenBadgesContext},
		"id":              u.Issuer(),
		"type":            []any{"Profile"},
		"name":            name,
		"url":             u.Base,
		"assertionMethod": methods,
	}
}

// KeyDocument is one Multikey verification method.
func (u URLs) KeyDocument(k PublicKey) map[string]any {
	return map[string]any{
		"@context":           "https://w3id.org/security/multikey/v1",
		"id":                 u.Key(k.Kid),
		"type":               "Multikey",
		"controller":         u.Issuer(),
		"publicKeyMultibase": PublicKeyMultibase(k.Key),
	}
}

// Verify checks a credential with an embedded proof against the issuer's
// keys: the range's own check, for its verification page. Independent
// verifiers use their own stack.
func (u URLs) Verify(signed map[string]any, keys []PublicKey) error {
	proof, _ := signed["proof"].(map[string]any)
	method, _ := proof["verificationMethod"].(string)
	for _, k := range keys {
		if u.Key(k.Kid) == method {
			return checkProof(signed, k.Key)
		}
	}
	return errors.Join(ErrProof, errors.New("signed by a key this issuer does not hold"))
}
