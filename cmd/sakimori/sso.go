package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/accounts/sso/oidc"
	"github.com/sakimori/sakimori/accounts/sso/saml"
	"github.com/sakimori/sakimori/config"
	"github.com/sakimori/sakimori/store"
)

// newSSO makes the service people sign in through their organisations'
// identity providers with, speaking OpenID Connect and SAML 2.0. The SAML
// service provider's key and certificate live in spKeyFile, made on first
// use: federations pin the certificate, so it must outlive restarts.
func newSSO(publicURL, spKeyFile string, db *store.DB, people *accounts.Service, secrets config.Secrets) (*sso.Service, error) {
	svc := sso.NewService(db.SSO(), people, config.SSOSealKey(secrets), time.Now)
	svc.UseFlow(sso.OIDC, oidc.New(publicURL, nil, time.Now))
	key, cert, err := loadOrCreateSPKey(spKeyFile, publicURL)
	if err != nil {
		return nil, err
	}
	svc.UseFlow(sso.SAML, saml.New(publicURL, key, cert, db.SSO(), time.Now))
	return svc, nil
}

// loadOrCreateSPKey reads the PEM key and certificate from path, or makes
// an RSA key and a ten-year self-signed certificate there (SAML trusts the
// key in the metadata, not a certificate authority).
func loadOrCreateSPKey(path, publicURL string) (*rsa.PrivateKey, *x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = newSPKey(publicURL)
		if err == nil {
			err = os.WriteFile(path, data, 0o600)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("SAML service provider key %s: %w", path, err)
	}
	var key *rsa.PrivateKey
	var cert *x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "CERTIFICATE":
			cert, err = x509.ParseCertificate(block.Bytes)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("SAML service provider key %s: %w", path, err)
		}
	}
	if key == nil || cert == nil {
		return nil, nil, fmt.Errorf("SAML service provider key %s: it needs an RSA PRIVATE KEY and a CERTIFICATE", path)
	}
	return key, cert, nil
}

func newSPKey(publicURL string) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: publicURL},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...), nil
}
