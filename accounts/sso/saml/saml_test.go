package saml

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"

	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/fault"
)

func keyAndCert(t *testing.T, name string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}

type memoryReplays struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (m *memoryReplays) Remember(_ context.Context, key string, _ time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[key] {
		return false, nil
	}
	m.seen[key] = true
	return true, nil
}

type oneSP struct{ md *crewjam.EntityDescriptor }

func (o oneSP) GetServiceProvider(*http.Request, string) (*crewjam.EntityDescriptor, error) {
	if o.md == nil {
		return nil, os.ErrNotExist
	}
	return o.md, nil
}

// testIdP is an identity provider written with crewjam/saml's IdP half:
// it answers the range's AuthnRequest as a real IdP would, and each case
// may then spoil the answer.
type testIdP struct {
	idp *crewjam.IdentityProvider
	md  string
}

func newTestIdP(t *testing.T, spMetadata []byte, key *rsa.PrivateKey, cert *x509.Certificate) testIdP {
	t.Helper()
	var spmd crewjam.EntityDescriptor
	if err := xml.Unmarshal(spMetadata, &spmd); err != nil {
		t.Fatal(err)
	}
	md, _ := url.Parse("https://idp.uni.example/metadata")
	sso, _ := url.Parse("https://idp.uni.example/sso")
	idp := &crewjam.IdentityProvider{Key: key, Certificate: cert, MetadataURL: *md, SSOURL: *sso, ServiceProviderProvider: oneSP{&spmd}}
	raw, err := xml.Marshal(idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	return testIdP{idp: idp, md: string(raw)}
}

// answer signs in session at the IdP for the AuthnRequest in redirect
// and returns the posted Response's XML.
func (ti testIdP) answer(t *testing.T, redirect string, session *crewjam.Session, at time.Time) []byte {
	t.Helper()
	hr, _ := http.NewRequest("GET", redirect, nil)
	req, err := crewjam.NewIdpAuthnRequest(ti.idp, hr)
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		t.Fatal(err)
	}
	req.Now = at
	if err := (crewjam.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		t.Fatal(err)
	}
	if err := req.MakeAssertionEl(); err != nil {
		t.Fatal(err)
	}
	if err := req.MakeResponse(); err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	doc.SetRoot(req.ResponseEl)
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withoutEncryption is SP metadata with no encryption key, so an IdP
// answers in the clear.
func withoutEncryption(t *testing.T, spmd []byte) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(spmd); err != nil {
		t.Fatal(err)
	}
	for _, kd := range doc.FindElements("//KeyDescriptor[@use='encryption']") {
		kd.Parent().RemoveChild(kd)
	}
	out, _ := doc.WriteToBytes()
	return out
}

func person() *crewjam.Session {
	return &crewjam.Session{
		ID: "s1", NameID: "nid-1", NameIDFormat: string(crewjam.PersistentNameIDFormat), UserEmail: "hanako@uni.example",
		UserCommonName: "Hanako Yamada", Groups: []string{"faculty"}, EduPersonPrincipalName: "hanako@uni.example",
		SubjectID: "", UserName: "hanako",
	}
}

func TestSAMLSignInAndItsRefusals(t *testing.T) {
	spKey, spCert := keyAndCert(t, "range")
	replays := &memoryReplays{seen: map[string]bool{}}
	flow := New("https://range.example", spKey, spCert, replays, nil)
	spmd, err := flow.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	idpKey, idpCert := keyAndCert(t, "idp")
	idp := newTestIdP(t, spmd, idpKey, idpCert)
	p := sso.Provider{ID: "p1", Protocol: sso.SAML, Issuer: "https://idp.uni.example/metadata", Metadata: idp.md, RoleClaim: "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"}
	ctx := context.Background()

	// begin starts a sign-in and returns its request and the IdP's answer.
	begin := func(t *testing.T, at time.Time) (sso.Request, []byte) {
		r := sso.Request{ID: sso.NewSecret()}
		to, err := flow.Begin(ctx, p, "", &r)
		if err != nil {
			t.Fatal(err)
		}
		return r, idp.answer(t, to, person(), at)
	}
	post := func(r sso.Request, xmlResponse []byte) (sso.Claims, error) {
		return flow.Finish(ctx, p, "", r, url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(xmlResponse)}, "RelayState": {r.ID}})
	}

	r, resp := begin(t, time.Now())
	c, err := post(r, resp)
	if err != nil {
		t.Fatalf("a good response was refused: %v", err)
	}
	if c.Issuer != p.Issuer || c.Subject == "" || c.Email != "hanako@uni.example" || !c.EmailVerified {
		t.Fatalf("claims: %+v", c)
	}
	if !strings.Contains(string(resp), "EncryptedAssertion") {
		t.Fatal("the IdP did not encrypt the assertion to the range's certificate")
	}
	if _, err := post(r, resp); !isCode(err, "sso_replayed") {
		t.Fatalf("a replayed response: %v", err)
	}

	// The same IdP, answering in the clear, so the cases below can cut
	// and paste its signed assertion.
	plain := newTestIdP(t, withoutEncryption(t, spmd), idpKey, idpCert)
	clear := func(t *testing.T) (sso.Request, *etree.Document) {
		r := sso.Request{ID: sso.NewSecret()}
		to, _ := flow.Begin(ctx, p, "", &r)
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(plain.answer(t, to, person(), time.Now())); err != nil {
			t.Fatal(err)
		}
		return r, doc
	}
	bytesOf := func(doc *etree.Document) []byte { b, _ := doc.WriteToBytes(); return b }
	if r, doc := clear(t); true {
		if _, err := post(r, bytesOf(doc)); err != nil {
			t.Fatalf("a good response in the clear was refused: %v", err)
		}
	}

	otherKey, otherCert := keyAndCert(t, "impostor")
	impostor := newTestIdP(t, spmd, otherKey, otherCert)
	cases := []struct {
		name string
		make func(t *testing.T) (sso.Request, []byte)
		code string
	}{
		{"unsigned", func(t *testing.T) (sso.Request, []byte) {
			r, doc := clear(t)
			for _, sig := range doc.FindElements("//Signature") {
				sig.Parent().RemoveChild(sig)
			}
			return r, bytesOf(doc)
		}, "sso_token_untrusted"},
		{"signature wrapping: a forged assertion beside the signed one", func(t *testing.T) (sso.Request, []byte) {
			r, doc := clear(t)
			signed := doc.FindElement("//Assertion")
			forged := signed.Copy()
			for _, sig := range forged.FindElements("//Signature") {
				sig.Parent().RemoveChild(sig)
			}
			forged.CreateAttr("ID", "forged-1")
			for _, v := range forged.FindElements("//AttributeValue") {
				if strings.Contains(v.Text(), "@uni.example") {
					v.SetText("mallory@uni.example")
				}
			}
			signed.Parent().InsertChildAt(signed.Index(), forged)
			return r, bytesOf(doc)
		}, "sso_token_untrusted"},
		{"signature wrapping: the signed assertion hidden inside a forged one", func(t *testing.T) (sso.Request, []byte) {
			r, doc := clear(t)
			signed := doc.FindElement("//Assertion")
			forged := signed.Copy()
			for _, sig := range forged.FindElements("//Signature") {
				sig.Parent().RemoveChild(sig)
			}
			forged.CreateAttr("ID", "forged-2")
			parent := signed.Parent()
			parent.RemoveChild(signed)
			forged.AddChild(signed)
			parent.AddChild(forged)
			return r, bytesOf(doc)
		}, "sso_token_untrusted"},
		{"signed by another key", func(t *testing.T) (sso.Request, []byte) {
			r := sso.Request{ID: sso.NewSecret()}
			to, _ := flow.Begin(ctx, p, "", &r)
			return r, impostor.answer(t, to, person(), time.Now())
		}, "sso_token_untrusted"},
		{"expired", func(t *testing.T) (sso.Request, []byte) { return begin(t, time.Now().Add(-2*time.Hour)) }, "sso_token_expired"},
		{"a response to a request we never made", func(t *testing.T) (sso.Request, []byte) {
			r, resp := begin(t, time.Now())
			r.Nonce = "id-never-made"
			return r, resp
		}, "sso_token_untrusted"},
		{"another audience", func(t *testing.T) (sso.Request, []byte) {
			r, resp := begin(t, time.Now())
			return r, []byte(strings.ReplaceAll(string(resp), "https://range.example/api/v1/auth/sso/saml/acs", "https://other.example/acs"))
		}, "sso_token_untrusted"},
		{"entities (billion laughs)", func(t *testing.T) (sso.Request, []byte) {
			r, _ := begin(t, time.Now())
			bomb := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol2;</samlp:Response>`
			return r, []byte(bomb)
		}, "sso_token_untrusted"},
		{"an external entity (XXE)", func(t *testing.T) (sso.Request, []byte) {
			r, _ := begin(t, time.Now())
			return r, []byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>`)
		}, "sso_token_untrusted"},
		{"10 MB", func(t *testing.T) (sso.Request, []byte) {
			r, _ := begin(t, time.Now())
			return r, []byte("<samlp:Response>" + strings.Repeat("A", 10<<20) + "</samlp:Response>")
		}, "sso_token_untrusted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, resp := tc.make(t)
			_, err := post(r, resp)
			t.Log(err)
			if !isCode(err, tc.code) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}

func isCode(err error, code string) bool {
	f, ok := fault.As(err)
	return ok && f.Code == code
}
