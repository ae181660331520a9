package scoring

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// correct reports whether answer meets the objective. Secrets (flags,
// exact answers) are compared in constant time over their hashes, so
// neither the length nor the first wrong character leaks.
func correct(o Objective, expected []string, answer string) bool {
	answer = asTyped(answer)
	hit := false
	for _, want := range expected {
		if o.Match != MatchRegex {
			want = asTyped(want)
		}
		switch o.Match {
		case MatchCaseInsensitive:
			hit = equalSecret(strings.ToLower(answer), strings.ToLower(strings.TrimSpace(want))) || hit
		case MatchRegex:
			re, err := wholeMatch(want)
			hit = (err == nil && re.MatchString(answer)) || hit
		case MatchNumeric:
			got, err1 := strconv.ParseFloat(answer, 64)
			w, err2 := strconv.ParseFloat(strings.TrimSpace(want), 64)
			hit = (err1 == nil && err2 == nil && math.Abs(got-w) <= o.Tolerance) || hit
		default:
			hit = equalSecret(answer, strings.TrimSpace(want)) || hit
		}
	}
	return hit
}

// wholeMatch compiles a regex answer so that it must match the whole
// submission, not a part of it: the one place the anchoring is done, for
// both checking a manifest and checking an answer.
func wholeMatch(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile("^(?:" + pattern + ")$")
}

func equalSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// digest is the record of an answer: a hash, never the answer itself.
func digest(answer string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(answer)))
	return hex.EncodeToString(sum[:])
}
