package aws

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/sakimori/sakimori/sim/aws/account"
	"github.com/sakimori/sakimori/sim/aws/client"
)

// BenchmarkObjectRead is the cost of the emulated cloud's checks (SigV4,
// IAM policy, the audit record) on a small object read, against gofakes3
// serving the same read with no checks, in one run (docs/BENCHMARKS.md).
func BenchmarkObjectRead(b *testing.B) {
	w, err := account.ParseWorld(testWorld)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := New(w, "k")
	if err != nil {
		b.Fatal(err)
	}
	checked := httptest.NewServer(srv)
	defer checked.Close()
	plainBackend := s3mem.New()
	_ = plainBackend.CreateBucket("acme-public")
	_, _ = plainBackend.PutObject("acme-public", "banner.txt", nil, strings.NewReader("Welcome to Acme"), 15, nil)
	plain := httptest.NewServer(gofakes3.New(plainBackend).Server())
	defer plain.Close()
	hc := &http.Client{}

	b.Run("gofakes3-unchecked", func(b *testing.B) {
		c := &client.Client{Endpoint: plain.URL, HTTP: hc}
		for b.Loop() {
			if res, err := c.S3("GET", "/acme-public/banner.txt", nil); err != nil || !res.OK() {
				b.Fatal(res, err)
			}
		}
	})
	b.Run("cloud-signed-checked-audited", func(b *testing.B) {
		c := &client.Client{Endpoint: checked.URL, HTTP: hc,
			Creds: &client.Credentials{AccessKeyID: "AKIAANALYST000000001", SecretAccessKey: "analyst-secret"}}
		for b.Loop() {
			if res, err := c.S3("GET", "/acme-public/banner.txt", nil); err != nil || !res.OK() {
				b.Fatal(res, err)
			}
		}
	})
}
