package lti

import (
	"context"
	"encoding/json"
	"time"

	"github.com/sakimori/sakimori/accounts"
)

// entryTTL is how long a launch's way in may wait to be taken.
const entryTTL = time.Minute

type entryClaims struct {
	UserID  string `json:"u"`
	Path    string `json:"p"`
	Expires int64  `json:"e"`
	Nonce   string `json:"n"`
}

const entryOwner = "lti-entry"

// Entry seals a launched person's way in: browsers refuse a session cookie
// set by the answer to the platform's cross-site POST, so the launch sends
// the browser on to a GET of the range's own with this, taken once, which
// signs them in.
func (s *Service) Entry(userID, path string) string {
	b, _ := json.Marshal(entryClaims{UserID: userID, Path: path, Expires: s.now().Add(entryTTL).Unix(), Nonce: random()})
	return s.sealer.Seal(string(b), entryOwner)
}

// TakeEntry opens a way in, once, within its minute.
func (s *Service) TakeEntry(ctx context.Context, sealed string) (accounts.User, string, error) {
	plain, err := s.sealer.Open(sealed, entryOwner)
	var e entryClaims
	if err != nil || json.Unmarshal([]byte(plain), &e) != nil || s.now().Unix() > e.Expires {
		return accounts.User{}, "", ErrStateUnknown
	}
	if fresh, err := s.store.Remember(ctx, "lti-entry:"+e.Nonce, time.Unix(e.Expires, 0).Add(time.Minute)); err != nil {
		return accounts.User{}, "", err
	} else if !fresh {
		return accounts.User{}, "", ErrStateUnknown
	}
	u, err := s.accounts.User(ctx, e.UserID)
	return u, e.Path, err
}
