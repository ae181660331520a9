package partners

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"

	"github.com/sakimori/sakimori/fault"
)

// Position is a place in the record feed: the transaction that wrote a
// record and its sequence number. Feed order is (Tx, Seq); a store whose
// writers commit in sequence order leaves Tx zero.
type Position struct {
	Tx  int64
	Seq int64
}

// After reports whether p comes later in the feed than q.
func (p Position) After(q Position) bool {
	return p.Tx > q.Tx || (p.Tx == q.Tx && p.Seq > q.Seq)
}

// A cursor is version, tx, seq and a MAC over them and the organisation,
// base64url: opaque to partners, unforgeable, and useless to another
// organisation's token.
const (
	cursorVersion = 1
	cursorBody    = 1 + 8 + 8
	cursorMAC     = 16
)

// The faults a cursor gets.
var (
	ErrCursorMalformed  = fault.InvalidField("cursor", "feed_cursor_malformed", "The cursor is not one the feed gave out; start again without one.")
	ErrCursorForged     = fault.InvalidField("cursor", "feed_cursor_forged", "The cursor was changed or belongs to another organisation.")
	ErrCursorOutOfRange = fault.InvalidField("cursor", "feed_cursor_out_of_range", "The cursor is beyond the end of the feed; it may come from another range or a restored database.")
	ErrLimitInvalid     = fault.InvalidField("limit", "feed_limit_invalid", "Limit must be a whole number from 1 to 1000.")
)

// cursors signs and reads feed cursors with the range's key.
type cursors struct{ key []byte }

func (c cursors) mac(orgID string, body []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("sakimori partner feed cursor\x00"))
	m.Write([]byte(orgID))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)[:cursorMAC]
}

func (c cursors) encode(orgID string, p Position) string {
	b := make([]byte, cursorBody, cursorBody+cursorMAC)
	b[0] = cursorVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(p.Tx))
	binary.BigEndian.PutUint64(b[9:17], uint64(p.Seq))
	return base64.RawURLEncoding.EncodeToString(append(b, c.mac(orgID, b)...))
}

func (c cursors) decode(orgID, s string) (Position, error) {
	if s == "" {
		return Position{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != cursorBody+cursorMAC || b[0] != cursorVersion {
		return Position{}, ErrCursorMalformed
	}
	if !hmac.Equal(b[cursorBody:], c.mac(orgID, b[:cursorBody])) {
		return Position{}, ErrCursorForged
	}
	p := Position{Tx: int64(binary.BigEndian.Uint64(b[1:9])), Seq: int64(binary.BigEndian.Uint64(b[9:17]))}
	if p.Tx < 0 || p.Seq < 0 {
		return Position{}, ErrCursorForged
	}
	return p, nil
}
