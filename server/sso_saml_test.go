package server_test

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewjam "github.com/crewjam/saml"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

type rangeSP struct{ md *crewjam.EntityDescriptor }

func (r rangeSP) GetServiceProvider(*http.Request, string) (*crewjam.EntityDescriptor, error) {
	if r.md == nil {
		return nil, os.ErrNotExist
	}
	return r.md, nil
}

// A sign-in over SAML through the range's own endpoints: the range's SP
// metadata is what the IdP (crewjam/saml's IdP half) trusts, the IdP's
// encrypted, signed answer is posted to the ACS by the browser that
// started, and the eduPerson attributes place the person: faculty are
// instructors, the Japanese display name is the one shown.
func TestSAMLSignInThroughTheRange(t *testing.T) {
	// IdP metadata is larger than the harness's small body limit.
	rg, base := liveRange(t, func(d *server.Deps, _ *accounts.Options) { d.Options.BodyLimit = 1 << 20 })
	admin := rg.setupAdmin()

	resp, err := http.Get(base + "/api/v1/auth/sso/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var spmd crewjam.EntityDescriptor
	if err := xml.Unmarshal(raw, &spmd); err != nil || spmd.EntityID != base+"/api/v1/auth/sso/saml/metadata" {
		t.Fatalf("SP metadata: %v %s", err, raw)
	}

	idpKey, idpCert := newKeyAndCert("idp")
	mdURL, _ := url.Parse("https://idp.uni.example/idp/shibboleth")
	ssoURL, _ := url.Parse("https://idp.uni.example/sso")
	idp := &crewjam.IdentityProvider{Key: idpKey, Certificate: idpCert, MetadataURL: *mdURL, SSOURL: *ssoURL, ServiceProviderProvider: rangeSP{&spmd}}
	idpmd, _ := xml.Marshal(idp.Metadata())
	// A federation's aggregate: the organisation allows only its own IdP.
	other, _ := xml.Marshal(crewjam.EntityDescriptor{EntityID: "https://idp.other.example/idp/shibboleth"})
	aggregate := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + string(other) + string(idpmd) + `</EntitiesDescriptor>`

	o := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Uni", "slug": "uni", "kind": "university"}, "Authorization", "Bearer "+admin)
	orgID := o.body["id"].(string)
	p := rg.call("POST", "/api/v1/organisations/"+orgID+"/sso/providers", map[string]any{
		"name": "Uni (GakuNin)", "protocol": "saml", "enabled": true, "issuer": mdURL.String(), "metadata": aggregate,
		"allowed_domains": []string{"uni.example"}, "role_claim": "eduPersonAffiliation", "instructor_values": []string{"faculty"},
	}, "Authorization", "Bearer "+admin)
	if p.status != 201 {
		t.Fatalf("provider: %d %s", p.status, p.raw)
	}
	pid := p.body["id"].(string)

	signIn := func(t *testing.T, session *crewjam.Session) *browser {
		b := newBrowser(t, base)
		b.holdAt = "/sso"
		b.get(base + "/api/v1/auth/sso/" + pid + "/start")
		if b.held == nil {
			t.Fatal("the range did not send the browser to the IdP")
		}
		hr, _ := http.NewRequest("GET", b.held.String(), nil)
		req, err := crewjam.NewIdpAuthnRequest(idp, hr)
		if err != nil {
			t.Fatal(err)
		}
		if err := req.Validate(); err != nil {
			t.Fatal(err)
		}
		req.Now = time.Now()
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
		xmlResp, _ := doc.WriteToBytes()
		b.holdAt = ""
		landed, err := b.client.PostForm(base+"/api/v1/auth/sso/saml/acs", url.Values{
			"SAMLResponse": {base64.StdEncoding.EncodeToString(xmlResp)}, "RelayState": {b.held.Query().Get("RelayState")},
		})
		if err != nil {
			t.Fatal(err)
		}
		landed.Body.Close()
		if landed.Request.URL.Path != "/" {
			t.Fatalf("landed on %s", landed.Request.URL)
		}
		return b
	}
	person := func(id, email string, affiliation ...string) *crewjam.Session {
		return &crewjam.Session{ID: id, NameID: id, UserEmail: email, Groups: affiliation, UserCommonName: "Common " + id,
			CustomAttributes: []crewjam.Attribute{
				{FriendlyName: "pairwise-id", Name: "urn:oasis:names:tc:SAML:attribute:pairwise-id", Values: []crewjam.AttributeValue{{Type: "xs:string", Value: id + "@uni.example"}}},
				{FriendlyName: "jaDisplayName", Name: "urn:oid:1.3.6.1.4.1.32264.1.1.3", Values: []crewjam.AttributeValue{{Type: "xs:string", Value: "山田 " + id}}},
			}}
	}

	u := signIn(t, person("hanako", "hanako@uni.example", "student", "member")).session().body["user"].(map[string]any)
	if u["role"] != "trainee" || u["display_name"] != "山田 hanako" {
		t.Fatalf("student: %v", u)
	}
	if role := orgRoleOf(t, rg, admin, orgID, "hanako@uni.example"); role != "member" {
		t.Fatalf("student in the organisation: %q", role)
	}
	u = signIn(t, person("taro", "taro@uni.example", "faculty", "member")).session().body["user"].(map[string]any)
	if u["role"] != "instructor" {
		t.Fatalf("faculty: %v", u)
	}
	if role := orgRoleOf(t, rg, admin, orgID, "taro@uni.example"); role != "instructor" {
		t.Fatalf("faculty in the organisation: %q", role)
	}
}
