// Package saml is the SAML 2.0 half of signing in through an organisation,
// as a service provider on crewjam/saml: the range sends an AuthnRequest
// by the HTTP-Redirect binding and takes the IdP's Response at its
// Assertion Consumer Service by HTTP-POST. Every Response is checked for a
// signature by the IdP's metadata key (of the response or the assertion),
// the range as audience and its ACS as recipient, the times with a small
// skew, an InResponseTo naming the request this sign-in made (no
// unsolicited responses), and an assertion id never seen before. Encrypted
// assertions are decrypted with the range's key.
package saml

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/fault"
)

// Paths of the range's service provider, under the public URL.
const (
	ACSPath      = "/api/v1/auth/sso/saml/acs"
	MetadataPath = "/api/v1/auth/sso/saml/metadata"
)

// maxResponse bounds a Response as posted (base64); a real one is a few
// kilobytes, and nothing larger is decoded or parsed.
const maxResponse = 256 << 10

// Replays is the replay cache of assertion ids.
type Replays interface {
	Remember(ctx context.Context, key string, until time.Time) (bool, error)
}

// Flow implements sso.Flow for SAML 2.0.
type Flow struct {
	publicURL string
	key       *rsa.PrivateKey
	cert      *x509.Certificate
	replays   Replays
	now       func() time.Time
}

var _ sso.Flow = (*Flow)(nil)

// New makes the service provider of a range reached at publicURL, signing
// and decrypting with key and cert.
func New(publicURL string, key *rsa.PrivateKey, cert *x509.Certificate, replays Replays, now func() time.Time) *Flow {
	if now == nil {
		now = time.Now
	}
	return &Flow{publicURL: publicURL, key: key, cert: cert, replays: replays, now: now}
}

func (f *Flow) url(path string) url.URL {
	u, _ := url.Parse(f.publicURL + path)
	return *u
}

// Metadata is the range's SP metadata: its entity id, ACS, and the
// certificate it signs requests and receives encrypted assertions with.
func (f *Flow) Metadata() ([]byte, error) {
	sp := f.serviceProvider(nil)
	return xml.MarshalIndent(sp.Metadata(), "", "  ")
}

func (f *Flow) serviceProvider(idp *crewjam.EntityDescriptor) *crewjam.ServiceProvider {
	md, acs := f.url(MetadataPath), f.url(ACSPath)
	return &crewjam.ServiceProvider{
		EntityID: md.String(), Key: f.key, Certificate: f.cert, MetadataURL: md, AcsURL: acs,
		IDPMetadata: idp, AuthnNameIDFormat: crewjam.PersistentNameIDFormat,
		SignatureMethod: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
	}
}

// idpOf reads the provider's IdP from its metadata: one EntityDescriptor,
// or a federation's aggregate from which only the provider's entity id is
// taken.
func idpOf(p sso.Provider) (*crewjam.EntityDescriptor, error) {
	if p.Metadata == "" {
		return nil, fault.Wrap(sso.ErrProviderDown, errors.New("metadata is read from the provider's XML; fetching it from a URL is not supported yet"))
	}
	raw := []byte(p.Metadata)
	var one crewjam.EntityDescriptor
	if err := xml.Unmarshal(raw, &one); err == nil && one.EntityID != "" {
		if one.EntityID != p.Issuer {
			return nil, fault.Wrap(sso.ErrProviderDown, errors.New("the metadata is of "+one.EntityID+", not "+p.Issuer))
		}
		return &one, nil
	}
	var all crewjam.EntitiesDescriptor
	if err := xml.Unmarshal(raw, &all); err != nil {
		return nil, fault.Wrap(sso.ErrProviderDown, err)
	}
	for i := range all.EntityDescriptors {
		if all.EntityDescriptors[i].EntityID == p.Issuer {
			return &all.EntityDescriptors[i], nil
		}
	}
	return nil, fault.Wrap(sso.ErrProviderDown, errors.New("the aggregate does not list "+p.Issuer))
}

// Begin sends the person to the IdP with a signed AuthnRequest; its id is
// kept as the request's nonce, for InResponseTo, and the request's own id
// travels as RelayState.
func (f *Flow) Begin(ctx context.Context, p sso.Provider, _ string, r *sso.Request) (string, error) {
	idp, err := idpOf(p)
	if err != nil {
		return "", err
	}
	sp := f.serviceProvider(idp)
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(crewjam.HTTPRedirectBinding), crewjam.HTTPRedirectBinding, crewjam.HTTPPostBinding)
	if err != nil {
		return "", fault.Wrap(sso.ErrProviderDown, err)
	}
	r.Nonce = req.ID
	to, err := req.Redirect(r.ID, sp)
	if err != nil {
		return "", fault.Wrap(sso.ErrProviderDown, err)
	}
	return to.String(), nil
}

// Finish checks the posted Response and reads the person from it.
func (f *Flow) Finish(ctx context.Context, p sso.Provider, _ string, r sso.Request, reply url.Values) (sso.Claims, error) {
	posted := reply.Get("SAMLResponse")
	if posted == "" || len(posted) > maxResponse {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, errors.New("no SAMLResponse, or one too large"))
	}
	raw, err := base64.StdEncoding.DecodeString(posted)
	if err != nil {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, err)
	}
	idp, err := idpOf(p)
	if err != nil {
		return sso.Claims{}, err
	}
	sp := f.serviceProvider(idp)
	a, err := sp.ParseXMLResponse(raw, []string{r.Nonce}, f.url(ACSPath))
	if err != nil {
		var invalid *crewjam.InvalidResponseError
		if errors.As(err, &invalid) && invalid.PrivateErr != nil {
			err = invalid.PrivateErr
		}
		// An answer that came too late is the person's to retry, not an
		// attack: it is told apart from one the range does not trust.
		if errors.Is(err, crewjam.ErrExpired) {
			return sso.Claims{}, fault.Wrap(sso.ErrTokenExpired, err)
		}
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, err)
	}
	until := f.now().Add(time.Hour)
	if a.Conditions != nil && a.Conditions.NotOnOrAfter.After(f.now()) {
		until = a.Conditions.NotOnOrAfter.Add(crewjam.MaxClockSkew)
	}
	fresh, err := f.replays.Remember(ctx, "saml:"+a.Issuer.Value+":"+a.ID, until)
	if err != nil {
		return sso.Claims{}, err
	}
	if !fresh {
		return sso.Claims{}, fault.Wrap(sso.ErrReplayed, errors.New("assertion "+a.ID+" was seen before"))
	}
	return claimsOf(a, p.RoleClaim), nil
}

// The eduPerson and related attributes GakuNin releases, by OID name;
// friendly names are accepted too.
const (
	attrPairwiseID  = "urn:oasis:names:tc:SAML:attribute:pairwise-id"
	attrTargetedID  = "urn:oid:1.3.6.1.4.1.5923.1.1.1.10"
	attrPrincipal   = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
	attrMail        = "urn:oid:0.9.2342.19200300.100.1.3"
	attrDisplayName = "urn:oid:2.16.840.1.113730.3.1.241"
	attrJaDisplay   = "urn:oid:1.3.6.1.4.1.32264.1.1.3"
	attrAffiliation = "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"
)

var friendly = map[string]string{
	"pairwise-id": attrPairwiseID, "eduPersonTargetedID": attrTargetedID, "eduPersonPrincipalName": attrPrincipal,
	"mail": attrMail, "displayName": attrDisplayName, "jaDisplayName": attrJaDisplay, "eduPersonAffiliation": attrAffiliation,
}

// claimsOf maps an assertion's attributes. The subject is the most stable,
// least revealing identifier released: pairwise-id, then
// eduPersonTargetedID, then eduPersonPrincipalName, then a persistent
// NameID. A Japanese display name is preferred where one is sent.
func claimsOf(a *crewjam.Assertion, roleClaim string) sso.Claims {
	attrs := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			name := at.Name
			if oid, ok := friendly[at.FriendlyName]; ok {
				name = oid
			}
			if oid, ok := friendly[at.Name]; ok {
				name = oid
			}
			for _, v := range at.Values {
				if s := strings.TrimSpace(v.Value); s != "" {
					attrs[name] = append(attrs[name], s)
				} else if v.NameID != nil && v.NameID.Value != "" { // eduPersonTargetedID as a NameID
					attrs[name] = append(attrs[name], v.NameID.Value)
				}
			}
			if at.FriendlyName != "" && at.FriendlyName != name {
				attrs[at.FriendlyName] = attrs[name]
			}
		}
	}
	first := func(names ...string) string {
		for _, n := range names {
			if v := attrs[n]; len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	c := sso.Claims{Issuer: a.Issuer.Value}
	c.Subject = first(attrPairwiseID, attrTargetedID, attrPrincipal)
	if c.Subject == "" && a.Subject != nil && a.Subject.NameID != nil && a.Subject.NameID.Format == string(crewjam.PersistentNameIDFormat) {
		c.Subject = a.Subject.NameID.Value
	}
	c.Email = strings.ToLower(first(attrMail))
	c.EmailVerified = c.Email != "" // the IdP asserts it, signed
	c.DisplayName = first(attrJaDisplay, attrDisplayName)
	if roleClaim == "" {
		roleClaim = attrAffiliation
	}
	if oid, ok := friendly[roleClaim]; ok {
		roleClaim = oid
	}
	c.Roles = attrs[roleClaim]
	for _, st := range a.AuthnStatements {
		if st.AuthnContext.AuthnContextClassRef != nil && st.AuthnContext.AuthnContextClassRef.Value == refedsMFA {
			c.MultiFactor = true
		}
	}
	return c
}

// refedsMFA is the REFEDS MFA profile's AuthnContextClassRef, which
// GakuNin's IdPs send when the person passed a second factor.
const refedsMFA = "https://refeds.org/profile/mfa"
