package badges

import (
	"context"
	"errors"
	"time"
)

// Store keeps the issuer's keys, the awards and the organisations'
// thresholds. Awards are never deleted: a revoked award keeps its status
// index, so its bit in the list stays set.
type Store interface {
	// Keys are the issuer's keys, newest first.
	Keys(ctx context.Context) ([]StoredKey, error)
	// AddKey stores a new key.
	AddKey(ctx context.Context, k StoredKey) error

	// Award is one award, or ErrAwardNotFound.
	Award(ctx context.Context, id string) (StoredAward, error)
	// AwardsOf are a trainee's awards, oldest first.
	AwardsOf(ctx context.Context, userID string) ([]StoredAward, error)
	// AddAward stores a new award with the next free status index, and
	// returns it as stored. A trainee has at most one award per
	// achievement (kind, ref): adding a second returns the first.
	AddAward(ctx context.Context, a StoredAward) (StoredAward, error)
	// Revoke marks an award revoked, or returns ErrAwardNotFound, or
	// ErrAlreadyRevoked and changes nothing.
	Revoke(ctx context.Context, id, by string, at time.Time) error
	// RevokedIndices are the status indices of every revoked award.
	RevokedIndices(ctx context.Context) ([]int, error)

	// RoleThreshold is an organisation's work-role threshold in percent;
	// false when it has set none.
	RoleThreshold(ctx context.Context, orgID string) (int, bool, error)
	// SetRoleThreshold sets it.
	SetRoleThreshold(ctx context.Context, orgID string, percent int, at time.Time) error
}

// ErrAwardNotFound and ErrAlreadyRevoked are the store's answers the
// service turns into refusals.
var (
	ErrAwardNotFound  = errors.New("badges: no such award")
	ErrAlreadyRevoked = errors.New("badges: the award is already revoked")
)

// StoredKey is one issuer key, its private half sealed to its kid.
type StoredKey struct {
	Kid           string
	Public        []byte // Ed25519, 32 bytes
	SealedPrivate string
	CreatedAt     time.Time
}

// StoredAward is an award as kept: what the credential states, frozen when
// it was earned, so the same award always yields the same credential.
type StoredAward struct {
	ID          string
	UserID      string
	Achievement Achievement
	Holder      string
	IssuedAt    time.Time
	StatusIndex int
	RevokedAt   *time.Time
	RevokedBy   string
}

func (a StoredAward) award() Award {
	return Award{ID: a.ID, Achievement: a.Achievement, Holder: a.Holder, Issued: a.IssuedAt, StatusIndex: a.StatusIndex}
}
