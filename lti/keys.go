package lti

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Key is one of the range's signing keys. The newest unretired key signs;
// a retired one is still published for the grace period, so a platform
// that cached the old set still checks what it signed.
type Key struct {
	ID            string // the kid
	SealedPrivate string // PKCS#8, sealed to the kid
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

// signer is the current key, opened.
type signer struct {
	kid string
	key *rsa.PrivateKey
}

// Rotate makes a new signing key; the others retire now and leave the
// published set after the grace period.
func (s *Service) Rotate(ctx context.Context) (string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	kid := uuid.NewString()
	now := s.now().UTC()
	k := Key{ID: kid, SealedPrivate: s.sealer.Seal(base64.StdEncoding.EncodeToString(der), keyOwner+kid), CreatedAt: now}
	return kid, s.store.AddKey(ctx, k, now)
}

// current is the signing key, made on first use, and made anew when the
// one held cannot be opened here.
func (s *Service) current(ctx context.Context) (signer, error) {
	keys, err := s.store.Keys(ctx)
	if err != nil {
		return signer{}, err
	}
	for _, k := range keys {
		if k.RetiredAt == nil {
			if sg, err := s.open(k); err == nil {
				return sg, nil
			}
			break // sealed with another key (a restore without its secrets): replaced below
		}
	}
	if _, err := s.Rotate(ctx); err != nil {
		return signer{}, err
	}
	return s.current(ctx)
}

func (s *Service) open(k Key) (signer, error) {
	plain, err := s.sealer.Open(k.SealedPrivate, keyOwner+k.ID)
	if err != nil {
		return signer{}, fmt.Errorf("lti: key %s: %w", k.ID, err)
	}
	der, err := base64.StdEncoding.DecodeString(plain)
	if err != nil {
		return signer{}, err
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return signer{}, err
	}
	rk, ok := priv.(*rsa.PrivateKey)
	if !ok {
		return signer{}, fmt.Errorf("lti: key %s is not RSA", k.ID)
	}
	return signer{kid: k.ID, key: rk}, nil
}

// JWKS is the range's public key set: the signing key, and the retired
// ones still within their grace period.
func (s *Service) JWKS(ctx context.Context) ([]byte, error) {
	if _, err := s.current(ctx); err != nil {
		return nil, err
	}
	keys, err := s.store.Keys(ctx)
	if err != nil {
		return nil, err
	}
	set := jwk.NewSet()
	now := s.now()
	for _, k := range keys {
		if k.RetiredAt != nil && now.After(k.RetiredAt.Add(s.grace)) {
			continue
		}
		sg, err := s.open(k)
		if err != nil {
			continue // sealed with another key (a restore without its secrets): it signs nothing here
		}
		pub, err := jwk.Import(sg.key.Public())
		if err != nil {
			return nil, err
		}
		_ = pub.Set(jwk.KeyIDKey, k.ID)
		_ = pub.Set(jwk.AlgorithmKey, jwa.RS256())
		_ = pub.Set(jwk.KeyUsageKey, "sig")
		if err := set.AddKey(pub); err != nil {
			return nil, err
		}
	}
	return json.Marshal(set)
}

// sign makes a JWT of claims with the current key.
func (s *Service) sign(ctx context.Context, claims map[string]any) (string, error) {
	sg, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	return signRS256(sg, claims)
}

// keyOwner binds a sealed key to its kid, apart from anything else the
// same sealing key seals.
const keyOwner = "lti-key:"
