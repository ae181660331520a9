package badges

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// The Data Integrity proof of the W3C "Data Integrity EdDSA Cryptosuites
// v1.0", cryptosuite eddsa-rdfc-2022. What is signed is
// SHA-256(canonical proof options) || SHA-256(canonical document), where
// both are canonicalised with RDFC-1.0 under the document's own @context:
// so every statement of the credential, and the proof's creation time, key
// and purpose, are covered.

const (
	proofType   = "DataIntegrityProof"
	cryptosuite = "eddsa-rdfc-2022"
)

// ErrProof is wrapped by every reason a proof does not verify.
var ErrProof = errors.New("the proof does not verify")

// Signer is a key that signs for the issuer: the private key and the URL of
// its verification method.
type Signer struct {
	Method string // the Multikey verification method's id
	Key    ed25519.PrivateKey
}

// attachProof signs doc (a JSON-LD document in generic form, without a
// proof) and returns it with its proof.
func attachProof(doc map[string]any, s Signer, created time.Time) (map[string]any, error) {
	options := map[string]any{
		"type":               proofType,
		"cryptosuite":        cryptosuite,
		"created":            created.UTC().Format(time.RFC3339),
		"verificationMethod": s.Method,
		"proofPurpose":       "assertionMethod",
	}
	hash, err := hashData(doc, options)
	if err != nil {
		return nil, err
	}
	options["proofValue"] = multibaseBase58(ed25519.Sign(s.Key, hash))
	signed := make(map[string]any, len(doc)+1)
	for k, v := range doc {
		signed[k] = v
	}
	signed["proof"] = options
	return signed, nil
}

// checkProof verifies a signed document's proof against pub. It does not
// resolve the verification method: the caller knows its key.
func checkProof(signed map[string]any, pub ed25519.PublicKey) error {
	proof, ok := signed["proof"].(map[string]any)
	if !ok {
		return fmt.Errorf("%w: no single proof", ErrProof)
	}
	if proof["type"] != proofType || proof["cryptosuite"] != cryptosuite {
		return fmt.Errorf("%w: not an %s proof", ErrProof, cryptosuite)
	}
	value, _ := proof["proofValue"].(string)
	sig, err := decodeMultibaseBase58(value)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: malformed proof value", ErrProof)
	}
	options := make(map[string]any, len(proof))
	for k, v := range proof {
		if k != "proofValue" {
			options[k] = v
		}
	}
	doc := make(map[string]any, len(signed))
	for k, v := range signed {
		if k != "proof" {
			doc[k] = v
		}
	}
	hash, err := hashData(doc, options)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, hash, sig) {
		return fmt.Errorf("%w: signature mismatch", ErrProof)
	}
	return nil
}

func hashData(doc, options map[string]any) ([]byte, error) {
	config := make(map[string]any, len(options)+1)
	for k, v := range options {
		config[k] = v
	}
	config["@context"] = doc["@context"]
	canonicalConfig, err := canonicalize(config)
	if err != nil {
		return nil, err
	}
	canonicalDoc, err := canonicalize(doc)
	if err != nil {
		return nil, err
	}
	a := sha256.Sum256(canonicalConfig)
	b := sha256.Sum256(canonicalDoc)
	return append(a[:], b[:]...), nil
}
