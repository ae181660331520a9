package lti

import (
	"context"
	"time"
)

// Store is what lti needs from storage. Implementations return the faults
// named, and wrap anything else as Internal.
type Store interface {
	CreatePlatform(ctx context.Context, p Platform) error                       // ErrPlatformTaken
	Platform(ctx context.Context, id string) (Platform, error)                  // ErrPlatformNotFound
	PlatformFor(ctx context.Context, issuer, clientID string) (Platform, error) // ErrPlatformNotFound; clientID "" matches the issuer's only platform
	Platforms(ctx context.Context, orgID string) ([]Platform, error)            // all when orgID is empty
	RevokePlatform(ctx context.Context, id string) error                        // ErrPlatformNotFound

	SaveState(ctx context.Context, s LoginState) error
	// TakeState deletes the state and returns it: one launch only. An
	// unknown one is ErrStateUnknown.
	TakeState(ctx context.Context, state string) (LoginState, error)
	// Remember stores key until the time given and says whether it was new.
	Remember(ctx context.Context, key string, until time.Time) (bool, error)

	Keys(ctx context.Context) ([]Key, error) // newest first
	AddKey(ctx context.Context, k Key, retireOthersAt time.Time) error

	Binding(ctx context.Context, platformID, contextID string) (b Binding, ok bool, err error)
	// Bind stores the binding, or its new roster URL.
	Bind(ctx context.Context, b Binding) error
	// Bindings are the platform's courses.
	Bindings(ctx context.Context, platformID string) ([]Binding, error)

	SaveLink(ctx context.Context, l ResourceLink) error
	Link(ctx context.Context, platformID, resourceID string) (l ResourceLink, ok bool, err error)
	// GradedLinks are the links with a line item, of every platform not revoked.
	GradedLinks(ctx context.Context) ([]ResourceLink, error)
	Grade(ctx context.Context, lineItemURL, userID string) (g Grade, ok bool, err error)
	SaveGrade(ctx context.Context, g Grade) error

	// LinkedUser is the account linked to (issuer, subject), the links
	// single sign-on keeps too.
	LinkedUser(ctx context.Context, issuer, subject string) (userID string, ok bool, err error)
	LinkUser(ctx context.Context, issuer, subject, userID, platformID string, at time.Time) error
	// PlaceMember makes the person an active member of the organisation,
	// an instructor if instructor; it never lowers a role.
	PlaceMember(ctx context.Context, orgID, userID string, instructor bool, at time.Time) error
	// Subject is the name the issuer knows the account by.
	Subject(ctx context.Context, issuer, userID string) (subject string, ok bool, err error)
}
