package live

import (
	"context"
	"regexp"

	"github.com/sakimori/sakimori/fault"
)

// MaxMissed is the most missed messages a returning page is sent: a banner
// shows the latest, and a class is told little between two visits.
const MaxMissed = 50

// ErrAfterInvalid refuses a catch-up point that is no message's id.
var ErrAfterInvalid = fault.InvalidField("after", "after_invalid", "after must be the id of a message already received.")

var messageID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidMessageID says whether id has the shape of a message's id.
func ValidMessageID(id string) bool { return messageID.MatchString(id) }

// Missed is what was sent to the person's cohorts after the message
// afterID, oldest first: what a page that was closed or offline has not
// shown. The caller subscribes before asking, so nothing falls between.
func (s *Service) Missed(ctx context.Context, userID, afterID string) ([]Message, error) {
	if !ValidMessageID(afterID) {
		return nil, ErrAfterInvalid
	}
	return s.messages.MessagesAfter(ctx, userID, afterID, MaxMissed)
}
