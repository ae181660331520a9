// Package totptest makes TOTP codes for tests straight from RFC 6238 (HOTP
// of the 30-second time step, HMAC-SHA-1, dynamic truncation), sharing no
// code with the library the server uses, so a mistake there cannot hide in
// both the server and its tests.
package totptest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Code is the code of the given length for key at t.
func Code(key []byte, t time.Time, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// SixDigits is the six-digit code for a base32 secret, as an authenticator
// app reads it from an otpauth URI, at t.
func SixDigits(secret string, t time.Time) (string, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return "", err
	}
	return Code(key, t, 6), nil
}
