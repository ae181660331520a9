package warehouse

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// The second factor is a client certificate: a role whose policy asks for
// MFA signs in with its password over TLS, presenting a certificate for
// its own name that the account's authority signed (PostgreSQL's
// clientcert=verify-full). The authority and every key are made from the
// scenario's authenticator secret, so the warehouse and a lab host
// enrolled for a role (sakimori-sim warehouse-cert) make the same
// authority without passing files between them; hosts that trainees reach
// never hold the secret. The keys are ECDSA P-256, not Ed25519: libpq
// binds SCRAM to the server's certificate by the hash its signature uses,
// and an Ed25519 signature has none.

// Authority is the account's certificate authority.
type Authority struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
	seed []byte
}

// validity is fixed, so the authority is the same wherever it is made.
var notBefore, notAfter = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)

// NewAuthority makes the authority of a secret.
func NewAuthority(secret string) (*Authority, error) {
	key, seed := keyOf("authority/" + secret)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Warehouse authenticator"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("the warehouse's authority: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Authority{cert: cert, der: der, key: key, seed: seed}, nil
}

// keyOf is the P-256 key of a name: a hash of it taken as the private
// scalar, hashed again in the rare case it is not one.
func keyOf(name string) (*ecdsa.PrivateKey, []byte) {
	sum := sha256.Sum256([]byte("sakimori/warehouse/" + name))
	for {
		if key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), sum[:]); err == nil {
			return key, sum[:]
		}
		sum = sha256.Sum256(sum[:])
	}
}

// Issue makes the certificate and key of a name: a role's, for a client,
// or the server's own (server true).
func (a *Authority) Issue(name string, server bool) (certPEM, keyPEM []byte, err error) {
	purpose, usage := "client/"+name, x509.ExtKeyUsageClientAuth
	if server {
		purpose, usage = "server/"+name, x509.ExtKeyUsageServerAuth
	}
	key, _ := keyOf(fmt.Sprintf("%x/%s", a.seed, purpose))
	serial := sha256.Sum256([]byte(purpose))
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial[:16]),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if server {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, key.Public(), a.key)
	if err != nil {
		return nil, nil, fmt.Errorf("a certificate for %s: %w", name, err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), nil
}

// CertPEM is the authority's own certificate, which the server trusts.
func (a *Authority) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.der})
}

// Enrol writes a role's second factor where libpq looks for it in dir
// (~/.postgresql): postgresql.crt, postgresql.key (the owner's alone) and
// root.crt, the authority.
func (a *Authority) Enrol(role, dir string) error {
	cert, key, err := a.Issue(role, false)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		body []byte
		mode os.FileMode
	}{{"postgresql.crt", cert, 0o644}, {"postgresql.key", key, 0o600}, {"root.crt", a.CertPEM(), 0o644}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.body, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// writeServerFiles puts the server's certificate, key and the authority in
// its data folder, as Settings names them.
func (a *Authority) writeServerFiles(dir, host string) error {
	cert, key, err := a.Issue(host, true)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		body []byte
	}{{"server.crt", cert}, {"server.key", key}, {"authority.crt", a.CertPEM()}} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.body, 0o600); err != nil {
			return err
		}
	}
	return nil
}
