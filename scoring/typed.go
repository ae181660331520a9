package scoring

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// asTyped is an answer as the trainee meant it. A Japanese keyboard (an IME
// in full-width mode) types ＦＬＡＧ｛…｝ and １２３ for FLAG{…} and 123;
// Unicode's compatibility normalisation (NFKC) maps those, and half-width
// katakana, to their usual forms without folding case, so an objective
// that matches exactly still tells FLAG from flag. Expected answers are
// normalised the same way in correct, so both sides meet in one form.
func asTyped(answer string) string {
	return strings.TrimSpace(norm.NFKC.String(answer))
}
