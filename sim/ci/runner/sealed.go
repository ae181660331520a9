package runner

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// A lab CI keeps its CI/CD variables as GitLab keeps them in its
// database: each value sealed with AES-256-GCM under the first 32 bytes
// of the instance's db_key_base (attr_encrypted's encrypted_value and
// encrypted_value_iv, both base64, the tag at the ciphertext's end).
// Hidden variables also travel to the runner sealed, so they never cross
// the network in the clear, and the runner opens them with the key in its
// own environment. That key, in a running process, is what the
// stolen-session lab's intruder takes.

// DBKeyLength is how much of db_key_base the cipher uses.
const DBKeyLength = 32

// Sealed is a value as the CI's database and backups hold it.
type Sealed struct {
	Value string `json:"encrypted_value"`    // base64 of ciphertext and tag
	IV    string `json:"encrypted_value_iv"` // base64 of the 12-byte nonce
}

// Seal seals plain under dbKeyBase.
func Seal(dbKeyBase, plain string) (Sealed, error) {
	aead, err := cipherFor(dbKeyBase)
	if err != nil {
		return Sealed{}, err
	}
	iv := make([]byte, aead.NonceSize())
	if _, err := rand.Read(iv); err != nil {
		return Sealed{}, err
	}
	ct := aead.Seal(nil, iv, []byte(plain), nil)
	return Sealed{Value: base64.StdEncoding.EncodeToString(ct), IV: base64.StdEncoding.EncodeToString(iv)}, nil
}

// Open undoes Seal; a wrong key fails GCM's tag check rather than giving
// garbage.
func Open(dbKeyBase string, s Sealed) (string, error) {
	aead, err := cipherFor(dbKeyBase)
	if err != nil {
		return "", err
	}
	ct, err1 := base64.StdEncoding.DecodeString(s.Value)
	iv, err2 := base64.StdEncoding.DecodeString(s.IV)
	if err1 != nil || err2 != nil || len(iv) != aead.NonceSize() {
		return "", errors.New("not a sealed value")
	}
	plain, err := aead.Open(nil, iv, ct, nil)
	if err != nil {
		return "", errors.New("the key does not open it")
	}
	return string(plain), nil
}

func cipherFor(dbKeyBase string) (cipher.AEAD, error) {
	if len(dbKeyBase) < DBKeyLength {
		return nil, fmt.Errorf("db_key_base has %d characters; it needs %d or more", len(dbKeyBase), DBKeyLength)
	}
	block, err := aes.NewCipher([]byte(dbKeyBase[:DBKeyLength]))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
