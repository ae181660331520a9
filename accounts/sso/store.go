package sso

import (
	"context"
	"time"
)

// Store is what sso needs from storage. Implementations return the faults
// named, and wrap anything else as Internal.
type Store interface {
	CreateProvider(ctx context.Context, p Provider) error
	UpdateProvider(ctx context.Context, p Provider) error            // ErrProviderNotFound
	DeleteProvider(ctx context.Context, id string) error             // ErrProviderNotFound
	Provider(ctx context.Context, id string) (Provider, error)       // ErrProviderNotFound
	Providers(ctx context.Context, orgID string) ([]Provider, error) // every provider with orgID empty

	// Identity finds the link for (issuer, subject); ok is false if none.
	Identity(ctx context.Context, issuer, subject string) (id Identity, ok bool, err error)
	// CreateIdentity stores a link; one already made for (issuer,
	// subject) is ErrIdentityTaken.
	CreateIdentity(ctx context.Context, id Identity) error
	TouchIdentity(ctx context.Context, issuer, subject string, at time.Time) error
	// Identities lists the links of one account.
	Identities(ctx context.Context, userID string) ([]Identity, error)

	// PlaceMember makes the person an active member of the organisation
	// with the role given, or raises their active membership to it; it
	// never lowers an org admin's or instructor's role.
	PlaceMember(ctx context.Context, orgID, userID string, instructor bool, at time.Time) error
	// LowerMember makes an active instructor of the organisation a member
	// again (the role mapping no longer names them); an org admin stays.
	LowerMember(ctx context.Context, orgID, userID string) error

	SaveRequest(ctx context.Context, r Request) error
	// TakeRequest deletes the request and returns it; only one caller can
	// take a request. An unknown one is ErrRequestUnknown.
	TakeRequest(ctx context.Context, id string) (Request, error)
	// Remember stores key until the time given and says whether it was new:
	// the replay cache of nonces and SAML assertion ids. Keys past their
	// time may be forgotten.
	Remember(ctx context.Context, key string, until time.Time) (bool, error)

	RecordFailure(ctx context.Context, f Failure) error
	// Failures lists an organisation's providers' latest failures, newest first.
	Failures(ctx context.Context, orgID string, limit int) ([]Failure, error)

	// PasswordsOff reports whether an organisation signs its people in
	// only through its providers.
	PasswordsOff(ctx context.Context, orgID string) (bool, error)
	SetPasswordsOff(ctx context.Context, orgID string, off bool) error
	// PasswordsOffFor reports whether any organisation the person is an
	// active member of has passwords off.
	PasswordsOffFor(ctx context.Context, userID string) (bool, error)
}

// Links is what the accounts store's transaction also does, so that a new
// account, its identity link and its membership are made together or not
// at all.
type Links interface {
	CreateIdentity(ctx context.Context, id Identity) error
	PlaceMember(ctx context.Context, orgID, userID string, instructor bool, at time.Time) error
}
