package badges

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
)

// StatusListSize is the number of entries in the revocation list: the W3C
// Bitstring Status List's minimum of 16 KiB, so that one set bit does not
// single out a holder.
const StatusListSize = 131072

// EncodeStatusList is the encodedList of a BitstringStatusList: the bits
// at the given indices set (index 0 is the first byte's most significant
// bit), GZIP-compressed, as base64url multibase ("u" prefix, no padding).
func EncodeStatusList(set []int) (string, error) {
	bits := make([]byte, StatusListSize/8)
	for _, i := range set {
		if i < 0 || i >= StatusListSize {
			return "", fmt.Errorf("badges: status index %d outside the list", i)
		}
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}
