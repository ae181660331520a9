package badges

import (
	"crypto/ed25519"
	"errors"
	"math/big"
	"strings"
)

// Multibase and Multikey encodings as the Data Integrity EdDSA
// cryptosuites use them: base58-btc with the "z" prefix, and an Ed25519
// public key prefixed with its multicodec varint (0xed 0x01).

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var ed25519PubCodec = []byte{0xed, 0x01}

func base58Encode(b []byte) string {
	n := new(big.Int).SetBytes(b)
	radix := big.NewInt(58)
	mod := new(big.Int)
	var out []byte
	for n.Sign() > 0 {
		n.DivMod(n, radix, mod)
		out = append(out, base58Alphabet[mod.Int64()])
	}
	// Each leading zero byte is one leading "1".
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, base58Alphabet[0])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

func base58Decode(s string) ([]byte, error) {
	n := new(big.Int)
	radix := big.NewInt(58)
	for _, r := range s {
		i := strings.IndexRune(base58Alphabet, r)
		if i < 0 {
			return nil, errors.New("badges: not base58")
		}
		n.Mul(n, radix)
		n.Add(n, big.NewInt(int64(i)))
	}
	out := n.Bytes()
	zeros := 0
	for zeros < len(s) && s[zeros] == base58Alphabet[0] {
		zeros++
	}
	return append(make([]byte, zeros), out...), nil
}

// multibaseBase58 encodes bytes as a base58-btc multibase string.
func multibaseBase58(b []byte) string { return "z" + base58Encode(b) }

func decodeMultibaseBase58(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "z") {
		return nil, errors.New("badges: not a base58-btc multibase value")
	}
	return base58Decode(s[1:])
}

// PublicKeyMultibase is an Ed25519 public key as a Multikey's
// publicKeyMultibase ("z6Mk...").
func PublicKeyMultibase(pub ed25519.PublicKey) string {
	return multibaseBase58(append(append([]byte{}, ed25519PubCodec...), pub...))
}

// ParsePublicKeyMultibase reads what PublicKeyMultibase wrote.
func ParsePublicKeyMultibase(s string) (ed25519.PublicKey, error) {
	raw, err := decodeMultibaseBase58(s)
	if err != nil {
		return nil, err
	}
	if len(raw) != 2+ed25519.PublicKeySize || raw[0] != ed25519PubCodec[0] || raw[1] != ed25519PubCodec[1] {
		return nil, errors.New("badges: not an Ed25519 Multikey")
	}
	return ed25519.PublicKey(raw[2:]), nil
}
