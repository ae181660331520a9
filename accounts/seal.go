package accounts

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
)

// sealer keeps TOTP secrets encrypted at rest (AES-256-GCM), bound to the
// account they belong to, so a database copy or a row moved to another
// account yields no working secret.
type sealer struct{ aead cipher.AEAD }

const sealVersion = "v1:"

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, errors.New("accounts: the seal key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(plain, userID string) string {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(userID))
	return sealVersion + base64.RawURLEncoding.EncodeToString(out)
}

func (s *sealer) open(sealed, userID string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, sealVersion))
	if err != nil || !strings.HasPrefix(sealed, sealVersion) || len(raw) < s.aead.NonceSize() {
		return "", errors.New("accounts: a sealed secret is malformed")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(userID))
	if err != nil {
		return "", errors.New("accounts: a sealed secret does not open with this key")
	}
	return string(plain), nil
}
