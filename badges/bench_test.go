package badges_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/sakimori/sakimori/badges"
)

func benchIssuer(b *testing.B) badges.Issuer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return badges.Issuer{URLs: badges.URLs{Base: "https://range.example.org"}, Name: "Sakimori", Kid: "k1", Key: priv}
}

// BenchmarkCredential is one badge signed with its embedded proof: two
// RDFC-1.0 canonicalisations and a signature, paid on every download.
func BenchmarkCredential(b *testing.B) {
	iss := benchIssuer(b)
	award := scenarioAward(3)
	for b.Loop() {
		if _, err := iss.Credential(award); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJWT is the same badge in its VC-JWT form: no canonicalisation.
func BenchmarkJWT(b *testing.B) {
	iss := benchIssuer(b)
	award := scenarioAward(3)
	for b.Loop() {
		if _, err := iss.JWT(award); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatusList is the revocation list signed with 1,000 badges
// revoked, as served to every verifier.
func BenchmarkStatusList(b *testing.B) {
	iss := benchIssuer(b)
	revoked := make([]int, 1000)
	for i := range revoked {
		revoked[i] = i * 97
	}
	at := time.Now()
	for b.Loop() {
		if _, err := iss.StatusListCredential(revoked, at); err != nil {
			b.Fatal(err)
		}
	}
}
