package badges

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/fault"
)

// Refusals.
var (
	ErrNotFound       = fault.New(fault.NotFound, "badge_not_found", "No such badge.")
	ErrRevoked        = fault.New(fault.Conflict, "badge_already_revoked", "The badge is already revoked.")
	ErrThresholdRange = fault.InvalidField("role_threshold", "badge_threshold_out_of_range",
		"The work-role threshold is a whole percentage from 1 to 100.")
	errNoSealKey = errors.New("badges: no seal key: the issuer key cannot be kept")
)

// Service issues and revokes the range's Open Badges. It is safe for
// concurrent use.
type Service struct {
	store Store
	seal  *accounts.Sealer
	urls  URLs
	name  string
	now   func() time.Time

	keyMu  sync.Mutex // makes the first key once, not once per request
	signed signedCache
}

// NewService makes the badge service. base is the range's public origin;
// name is the issuer's name on every badge; sealKey (32 bytes) encrypts
// the issuer's private key at rest.
func NewService(store Store, base, name string, sealKey []byte, now func() time.Time) (*Service, error) {
	seal, err := accounts.NewSealer(sealKey)
	if err != nil {
		return nil, errors.Join(errNoSealKey, err)
	}
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return &Service{store: store, seal: seal, urls: URLs{Base: base}, name: name, now: now}, nil
}

// URLs are where the service's documents are published.
func (s *Service) URLs() URLs { return s.urls }

// issuer is the issuer with its current key, made on first use.
func (s *Service) issuer(ctx context.Context) (Issuer, error) {
	keys, err := s.store.Keys(ctx)
	if err != nil {
		return Issuer{}, err
	}
	if len(keys) == 0 {
		if keys, err = s.firstKey(ctx); err != nil {
			return Issuer{}, err
		}
	}
	k := keys[0]
	seed, err := s.seal.Open(k.SealedPrivate, k.Kid)
	if err != nil {
		return Issuer{}, fmt.Errorf("badges: opening key %s: %w", k.Kid, err)
	}
	raw, err := base64.RawStdEncoding.DecodeString(seed)
	if err != nil || len(raw) != ed25519.SeedSize {
		return Issuer{}, fmt.Errorf("badges: key %s is malformed", k.Kid)
	}
	return Issuer{URLs: s.urls, Name: s.name, Kid: k.Kid, Key: ed25519.NewKeyFromSeed(raw)}, nil
}

func (s *Service) firstKey(ctx context.Context) ([]StoredKey, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if keys, err := s.store.Keys(ctx); err != nil || len(keys) > 0 {
		return keys, err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	at := s.now().UTC()
	kid := at.Format("20060102") + "-" + uuid.NewString()[:8]
	k := StoredKey{Kid: kid, Public: pub, CreatedAt: at,
		SealedPrivate: s.seal.Seal(base64.RawStdEncoding.EncodeToString(priv.Seed()), kid)}
	if err := s.store.AddKey(ctx, k); err != nil {
		return nil, err
	}
	return s.store.Keys(ctx)
}

// PublicKeys are every key the issuer has signed with.
func (s *Service) PublicKeys(ctx context.Context) ([]PublicKey, error) {
	if _, err := s.issuer(ctx); err != nil { // a range that has issued nothing still publishes its key
		return nil, err
	}
	keys, err := s.store.Keys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PublicKey, len(keys))
	for i, k := range keys {
		out[i] = PublicKey{Kid: k.Kid, Key: ed25519.PublicKey(k.Public)}
	}
	return out, nil
}

// IssuerDocument is the issuer's profile and controller document.
func (s *Service) IssuerDocument(ctx context.Context) (map[string]any, error) {
	keys, err := s.PublicKeys(ctx)
	if err != nil {
		return nil, err
	}
	return s.urls.IssuerDocument(s.name, keys), nil
}

// KeyDocument is the Multikey verification method of kid.
func (s *Service) KeyDocument(ctx context.Context, kid string) (map[string]any, error) {
	keys, err := s.PublicKeys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.Kid == kid {
			return s.urls.KeyDocument(k), nil
		}
	}
	return nil, errKeyNotFound
}

var errKeyNotFound = fault.New(fault.NotFound, "badge_key_not_found", "No such issuer key.")

// StatusList is the signed revocation list credential as it stands now.
// It is signed again only when a badge has been revoked (or the key has
// changed) since: the list is public, and signing costs a millisecond or two.
func (s *Service) StatusList(ctx context.Context) (map[string]any, error) {
	iss, err := s.issuer(ctx)
	if err != nil {
		return nil, err
	}
	revoked, err := s.store.RevokedIndices(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint("status ", iss.Kid, revoked)
	return s.signed.get(key, func() (map[string]any, error) { return iss.StatusListCredential(revoked, s.now()) })
}
