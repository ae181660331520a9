// Package browserdata writes a browser profile's files as an infostealer
// finds them on a Linux laptop: Chromium's cookie database, with each
// value encrypted as Chromium encrypts it when no keyring is available
// (the "v10" scheme, its fixed password "peanuts"). A lab's laptop host
// starts with them, so a trainee decrypts real files with real tools.
package browserdata

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Chromium's os_crypt on Linux without a keyring: the key is derived from
// a fixed password, so anyone holding the file can decrypt it. That is
// what made stolen cookie databases as good as stolen sessions.
const (
	v10Prefix   = "v10"
	v10Password = "peanuts"
	v10Salt     = "saltysalt"
)

var v10IV = bytes.Repeat([]byte{' '}, aes.BlockSize)

func v10Key() []byte {
	key, _ := pbkdf2.Key(sha1.New, v10Password, []byte(v10Salt), 1, 16) // cannot fail for these sizes
	return key
}

// Encrypt is value as Chromium 130 and later store it for hostKey: the
// SHA-256 of the cookie's domain, then the value, AES-128-CBC with
// PKCS#7 padding, behind the "v10" prefix.
func Encrypt(hostKey, value string) []byte {
	domain := sha256.Sum256([]byte(hostKey))
	plain := append(domain[:], value...)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	block, _ := aes.NewCipher(v10Key())
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, v10IV).CryptBlocks(out, plain)
	return append([]byte(v10Prefix), out...)
}

// Decrypt undoes Encrypt, checking the domain hash as Chromium does.
func Decrypt(hostKey string, enc []byte) (string, error) {
	body, ok := bytes.CutPrefix(enc, []byte(v10Prefix))
	if !ok || len(body) == 0 || len(body)%aes.BlockSize != 0 {
		return "", errors.New("browserdata: not a v10 value")
	}
	block, _ := aes.NewCipher(v10Key())
	plain := make([]byte, len(body))
	cipher.NewCBCDecrypter(block, v10IV).CryptBlocks(plain, body)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(plain) {
		return "", errors.New("browserdata: bad padding")
	}
	plain = plain[:len(plain)-pad]
	domain := sha256.Sum256([]byte(hostKey))
	if len(plain) < len(domain) || !bytes.Equal(plain[:len(domain)], domain[:]) {
		return "", fmt.Errorf("browserdata: the value is not for %s", hostKey)
	}
	return string(plain[len(domain):]), nil
}
