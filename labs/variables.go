package labs

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// FlagInstance finds the instance id a flag names, if any.
func FlagInstance(flag string) (string, bool) {
	m := flagInstance.FindStringSubmatch(flag)
	if m == nil {
		return "", false
	}
	return m[1], true
}

var flagInstance = regexp.MustCompile(`(l[a-z2-7]{12})-[0-9a-f]{24}`)

// Variables derives every per-instance value of a scenario: flags,
// passwords, keys. Each is an HMAC of the platform's flag key over the
// trainee, the instance and the variable's name, so two instances never
// share a flag and the platform can recompute any value to check an answer
// without storing it.
func Variables(key []byte, s *Scenario, trainee, instance string) map[string]string {
	out := make(map[string]string, len(s.Variables))
	for _, v := range s.Variables {
		out[v.Name] = variableValue(key, v, trainee, instance)
	}
	return out
}

func variableValue(key []byte, v VariableDef, trainee, instance string) string {
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "sakimori/variable/v1\x00%s\x00%s\x00%s", trainee, instance, v.Name)
	sum := mac.Sum(nil)
	switch v.Kind {
	case "flag":
		format := v.Format
		if format == "" {
			format = "FLAG{%s}"
		}
		// The instance id rides in the flag: a flag handed in for the wrong
		// lab names the lab it came from in one look-up, not a search of
		// every lab. It gives nothing away: the MAC beside it is what
		// cannot be forged.
		return fmt.Sprintf(format, instance+"-"+hex.EncodeToString(sum[:12]))
	case "password":
		return base64.RawURLEncoding.EncodeToString(sum[:15])
	case "access_key_id": // the shape of a cloud access key id
		return "AKIA" + base32.StdEncoding.EncodeToString(sum[:10])[:16]
	case "session_id": // letters and digits only, as identity providers' session cookies are
		return base62(sum)[:40]
	case "secret_key":
		return strings.NewReplacer("-", "+", "_", "/").Replace(base64.RawURLEncoding.EncodeToString(sum[:30]))
	}
	return hex.EncodeToString(sum)
}

// base62 writes b as a number in letters and digits.
func base62(b []byte) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	n := new(big.Int).SetBytes(b)
	base, mod := big.NewInt(62), new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, digits[mod.Int64()])
	}
	for len(out) < 43 { // a 256-bit number has up to 43 digits; keep the length fixed
		out = append(out, '0')
	}
	return string(out)
}
