package warehouse

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// The same secret makes the same authority wherever it is made, and what
// it issues for a role chains to it as a client certificate of that role;
// another secret is another authority.
func TestTheAuthorityIsTheSecrets(t *testing.T) {
	a, err := NewAuthority("lab-secret")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := NewAuthority("lab-secret")
	other, _ := NewAuthority("another")
	// ECDSA signs with fresh randomness, so the same authority's
	// certificate differs in its signature alone: the same name and key.
	same := func(x, y *Authority) bool {
		return bytes.Equal(x.cert.RawSubject, y.cert.RawSubject) && bytes.Equal(x.cert.RawSubjectPublicKeyInfo, y.cert.RawSubjectPublicKeyInfo)
	}
	if !same(a, again) || same(a, other) {
		t.Fatal("the authority does not follow its secret")
	}
	dir := t.TempDir()
	if err := a.Enrol("svc_reporting", dir); err != nil {
		t.Fatal(err)
	}
	certPEM, _ := os.ReadFile(filepath.Join(dir, "postgresql.crt"))
	block, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(again.CertPEM())
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("the role's certificate does not chain to the authority: %v", err)
	}
	if cert.Subject.CommonName != "svc_reporting" {
		t.Errorf("issued to %q", cert.Subject.CommonName)
	}
	others := x509.NewCertPool()
	others.AppendCertsFromPEM(other.CertPEM())
	if _, err := cert.Verify(x509.VerifyOptions{Roots: others, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err == nil {
		t.Error("another secret's authority accepts the certificate")
	}
	if st, _ := os.Stat(filepath.Join(dir, "postgresql.key")); st == nil || st.Mode().Perm() != 0o600 {
		t.Error("the key is not its owner's alone, which libpq refuses")
	}
}

// A verifier PostgreSQL 15 itself stored for the password leaked-pw.
func TestPasswordOpensReadsPostgreSQLsVerifier(t *testing.T) {
	const v = "SCRAM-SHA-256$4096:wc5FSLaWvjtfZx5v/Kb+Jg==$w+LCzfUiqyiHQ3GdiLUvJncMxA0sTs0MZ1hv+3XZv3A=:vtsH1WDOmCYnIgI8xZRcVPsY4xzLmaTbFJjxfV2y0nE="
	if ok, err := PasswordOpens(v, "leaked-pw"); !ok || err != nil {
		t.Errorf("the right password: %v, %v", ok, err)
	}
	if ok, err := PasswordOpens(v, "rotated-pw"); ok || err != nil {
		t.Errorf("another password: %v, %v", ok, err)
	}
	for _, bad := range []string{"md5abc", "SCRAM-SHA-256$x:y$z", "SCRAM-SHA-256$4096:!!$a:b"} {
		if _, err := PasswordOpens(bad, "x"); err == nil {
			t.Errorf("%q was read", bad)
		}
	}
}
