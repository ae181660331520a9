package totptest

import (
	"testing"
	"time"
)

// The generator agrees with RFC 6238's published SHA-1 vectors (appendix B)
// before it is trusted to check the server.
func TestIndependentGeneratorMatchesRFC6238(t *testing.T) {
	key := []byte("12345678901234567890")
	vectors := []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	}
	for _, v := range vectors {
		if got := Code(key, time.Unix(v.unix, 0), 8); got != v.code {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.code)
		}
	}
}

func TestSixDigitsReadsBase32(t *testing.T) {
	// "12345678901234567890" in base32, as an otpauth URI carries it.
	got, err := SixDigits("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", time.Unix(59, 0))
	if err != nil || got != "287082" {
		t.Fatalf("SixDigits = %q, %v; want 287082", got, err)
	}
}
