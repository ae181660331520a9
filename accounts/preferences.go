package accounts

import (
	"context"
	"slices"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Languages the range is written in; the first is the one it falls back to.
var Languages = []string{"en", "ja"}

// Preferences are how a person reads the range: a language from Languages
// and an IANA time zone ("Asia/Tokyo"). Empty means not chosen: the
// browser's languages and clock apply instead.
type Preferences struct {
	Language string
	TimeZone string
}

var (
	errLanguageUnsupported = fault.InvalidField("language", "language_unsupported", "Choose a language the range is written in: en or ja.")
	errTimeZoneUnknown     = fault.InvalidField("time_zone", "time_zone_unknown", "Choose a time zone by its IANA name, like Asia/Tokyo.")
)

// check refuses a language the range has no text in and a time zone the
// server's zone database does not know, so every date the range shows can
// be converted. "Local" is refused: it means the server's zone, not theirs.
func (p Preferences) check() error {
	if p.Language != "" && !slices.Contains(Languages, p.Language) {
		return errLanguageUnsupported
	}
	if p.TimeZone != "" {
		if p.TimeZone == "Local" || len(p.TimeZone) > 64 {
			return errTimeZoneUnknown
		}
		if _, err := time.LoadLocation(p.TimeZone); err != nil {
			return errTimeZoneUnknown
		}
	}
	return nil
}

// SetPreferences stores a person's language and time zone and returns the
// account as it now is.
func (s *Service) SetPreferences(ctx context.Context, userID string, p Preferences) (User, error) {
	if err := p.check(); err != nil {
		return User{}, err
	}
	if err := s.store.SetPreferences(ctx, userID, p); err != nil {
		return User{}, err
	}
	return s.store.UserByID(ctx, userID)
}
