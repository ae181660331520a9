package warehouse

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// PasswordOpens says whether password opens a role whose stored password
// is verifier, PostgreSQL's SCRAM-SHA-256 form (RFC 5803):
// SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey. It is how a check
// learns that a leaked password was changed without signing in with it.
func PasswordOpens(verifier, password string) (bool, error) {
	rest, ok := strings.CutPrefix(verifier, "SCRAM-SHA-256$")
	if !ok {
		return false, fmt.Errorf("not a SCRAM-SHA-256 verifier")
	}
	params, keys, ok := strings.Cut(rest, "$")
	iters, salt64, ok1 := strings.Cut(params, ":")
	stored64, _, ok2 := strings.Cut(keys, ":")
	n, err := strconv.Atoi(iters)
	salt, err1 := base64.StdEncoding.DecodeString(salt64)
	stored, err2 := base64.StdEncoding.DecodeString(stored64)
	if !ok || !ok1 || !ok2 || err != nil || err1 != nil || err2 != nil || n < 1 {
		return false, fmt.Errorf("an unreadable SCRAM-SHA-256 verifier")
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, n, sha256.Size)
	if err != nil {
		return false, err
	}
	mac := hmac.New(sha256.New, salted)
	mac.Write([]byte("Client Key"))
	clientKey := sha256.Sum256(mac.Sum(nil))
	return hmac.Equal(clientKey[:], stored), nil
}
