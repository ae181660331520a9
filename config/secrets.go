package config

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Secrets are the keys the server signs and derives with. They are made once,
// on first start, and kept in a file only the server's user can read; every
// server of one deployment must share the same file.
type Secrets struct {
	// SigningKeys sign access tokens. The last one signs; all verify, so a
	// key can be rotated in without signing everyone out.
	SigningKeys []SigningKey `json:"signing_keys"`
	// FlagKey derives each trainee's per-instance flags and credentials.
	FlagKey []byte `json:"flag_key"`
}

// SigningKey is an Ed25519 key with the id carried in a token's kid header.
type SigningKey struct {
	ID      string    `json:"id"`
	Seed    []byte    `json:"seed"`
	Created time.Time `json:"created"`
}

// Private returns the Ed25519 private key made from the seed.
func (k SigningKey) Private() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(k.Seed) }

// LoadOrCreateSecrets reads the secrets file, or makes one with fresh keys if
// there is none (created is then true). A file that exists but cannot be read or is malformed is an
// error: silently replacing it would sign everyone out and change every flag.
func LoadOrCreateSecrets(path string) (s Secrets, created bool, err error) {
	data, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(data, &s); err != nil {
			return Secrets{}, false, fmt.Errorf("secrets file %s: %w", path, err)
		}
		return s, false, s.validate()
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Secrets{}, false, fmt.Errorf("secrets file: %w", err)
	}
	s, err = newSecrets()
	if err != nil {
		return Secrets{}, false, err
	}
	if err := writeSecrets(path, s); err != nil {
		return Secrets{}, false, err
	}
	return s, true, nil
}

func newSecrets() (Secrets, error) {
	key, err := NewSigningKey()
	if err != nil {
		return Secrets{}, err
	}
	flagKey := make([]byte, 32)
	if _, err := rand.Read(flagKey); err != nil {
		return Secrets{}, err
	}
	return Secrets{SigningKeys: []SigningKey{key}, FlagKey: flagKey}, nil
}

// NewSigningKey makes a fresh Ed25519 signing key with a random id.
func NewSigningKey() (SigningKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	id := make([]byte, 9)
	if _, err := rand.Read(seed); err != nil {
		return SigningKey{}, err
	}
	if _, err := rand.Read(id); err != nil {
		return SigningKey{}, err
	}
	return SigningKey{ID: base64.RawURLEncoding.EncodeToString(id), Seed: seed, Created: time.Now().UTC()}, nil
}

// writeSecrets writes to a temporary file and renames it, so a crash never
// leaves a half-written secrets file behind.
func writeSecrets(path string, s Secrets) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("secrets directory: %w", err)
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secrets-*")
	if err != nil {
		return fmt.Errorf("secrets file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (s Secrets) validate() error {
	if len(s.SigningKeys) == 0 {
		return errors.New("secrets file: no signing keys")
	}
	seen := map[string]bool{}
	for i, k := range s.SigningKeys {
		if k.ID == "" || seen[k.ID] {
			return fmt.Errorf("secrets file: signing_keys[%d]: missing or repeated id", i)
		}
		seen[k.ID] = true
		if len(k.Seed) != ed25519.SeedSize {
			return fmt.Errorf("secrets file: signing_keys[%d]: seed must be %d bytes", i, ed25519.SeedSize)
		}
	}
	if len(s.FlagKey) < 32 {
		return errors.New("secrets file: flag_key must be at least 32 bytes")
	}
	return nil
}

// RangeID names this deployment on a shared lab engine. Every engine object
// carries it, so two ranges on one engine never reconcile each other's labs
// away. It derives from the flag key, which a deployment never changes.
func RangeID(s Secrets) string {
	sum := sha256.Sum256(append([]byte("sakimori/range/v1\x00"), s.FlagKey...))
	return hex.EncodeToString(sum[:6])
}

// SealKey is the key TOTP secrets are encrypted with at rest. It derives
// from the flag key (HKDF-SHA-256 with its own label), so it is as stable
// as the deployment and no secrets file needs a new field.
func SealKey(s Secrets) []byte {
	key, err := hkdf.Key(sha256.New, s.FlagKey, nil, "sakimori/totp-seal/v1", 32)
	if err != nil {
		panic(err) // only for a length HKDF cannot give; 32 it always can
	}
	return key
}

// SSOSealKey seals organisations' identity provider client secrets. Like
// SealKey it derives from the flag key, with its own label.
func SSOSealKey(s Secrets) []byte {
	key, err := hkdf.Key(sha256.New, s.FlagKey, nil, "sakimori/sso-seal/v1", 32)
	if err != nil {
		panic(err) // only for a length HKDF cannot give; 32 it always can
	}
	return key
}

// PartnerCursorKey signs the partner record feed's cursors. Like SealKey
// it derives from the flag key, with its own label.
func PartnerCursorKey(s Secrets) []byte {
	key, err := hkdf.Key(sha256.New, s.FlagKey, nil, "sakimori/partner-feed-cursor/v1", 32)
	if err != nil {
		panic(err) // only for a length HKDF cannot give; 32 it always can
	}
	return key
}

// BadgeSealKey seals the Open Badges issuer's private keys. Like SealKey
// it derives from the flag key, with its own label.
func BadgeSealKey(s Secrets) []byte {
	key, err := hkdf.Key(sha256.New, s.FlagKey, nil, "sakimori/badge-seal/v1", 32)
	if err != nil {
		panic(err) // only for a length HKDF cannot give; 32 it always can
	}
	return key
}
