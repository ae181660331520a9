package server_test

import (
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

// samlPeer is the range with an organisation whose provider is the samlify
// identity provider in test/saml-peer, which trusts the range's published
// SP metadata and knows nothing else of it.
type samlPeer struct {
	rg    *range_
	base  string // the range
	admin string
	org   string
	pid   string
}

func newSAMLPeer(t *testing.T) samlPeer {
	t.Helper()
	// The IdP's metadata is larger than the harness's small body limit;
	// and a 10 MB answer must reach the ACS, for the SP's own bound on a
	// Response to be what refuses it (a range's usual body limit refuses
	// it earlier still, with a 413).
	rg, base := liveRange(t, func(d *server.Deps, _ *accounts.Options) { d.Options.BodyLimit = 16 << 20 })
	peer := nodePeer(t, "saml-peer", "peer.mjs", "PEER_SP_METADATA_URL="+base+"/api/v1/auth/sso/saml/metadata")
	resp, err := http.Get(peer + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	s := samlPeer{rg: rg, base: base, admin: rg.setupAdmin()}
	o := rg.call("POST", "/api/v1/organisations", map[string]string{"name": "Uni", "slug": "uni", "kind": "university"}, "Authorization", "Bearer "+s.admin)
	s.org = o.body["id"].(string)
	p := rg.call("POST", "/api/v1/organisations/"+s.org+"/sso/providers", map[string]any{
		"name": "Uni (GakuNin)", "protocol": "saml", "enabled": true, "issuer": peer + "/metadata", "metadata": string(md),
		"allowed_domains": []string{"uni.example.ac.jp"}, "role_claim": "eduPersonAffiliation", "instructor_values": []string{"faculty"},
	}, "Authorization", "Bearer "+s.admin)
	if p.status != 201 {
		t.Fatalf("provider: %d %s", p.status, p.raw)
	}
	s.pid = p.body["id"].(string)
	return s
}

var hiddenInput = regexp.MustCompile(`name="(SAMLResponse|RelayState)" value="([^"]*)"`)

// answer starts a sign-in at the range in a new browser, signs in at the
// peer with the form's fields, and returns the browser and the peer's
// answer as the browser would post it to the ACS.
func (s samlPeer) answer(t *testing.T, fields url.Values) (*browser, url.Values) {
	t.Helper()
	b := newBrowser(t, s.base)
	b.holdAt = "/sso"
	b.get(s.base + "/api/v1/auth/sso/" + s.pid + "/start")
	if b.held == nil {
		t.Fatal("the range did not send the browser to the IdP")
	}
	b.holdAt = ""
	form := url.Values{}
	for k, v := range b.held.Query() {
		form[k] = v
	}
	for k, v := range fields {
		form[k] = v
	}
	resp, err := b.client.PostForm(b.held.Scheme+"://"+b.held.Host+"/sso", form)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("peer: %d %s", resp.StatusCode, page)
	}
	posted := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		posted.Set(m[1], html.UnescapeString(m[2]))
	}
	if posted.Get("SAMLResponse") == "" {
		t.Fatalf("the peer sent no SAMLResponse: %s", page)
	}
	return b, posted
}

// post carries an answer to the ACS and returns the refusal's code, or ""
// when the browser landed signed in.
func (s samlPeer) post(t *testing.T, b *browser, posted url.Values) string {
	t.Helper()
	landed, err := b.client.PostForm(s.base+"/api/v1/auth/sso/saml/acs", posted)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(landed.Body)
	landed.Body.Close()
	if landed.Request.URL.Path == "/signin" {
		return landed.Request.URL.Query().Get("sso_error")
	}
	if landed.Request.URL.Path != "/" {
		return "status " + landed.Status + ": " + string(body)
	}
	return ""
}

func (s samlPeer) signIn(t *testing.T, fields url.Values) map[string]any {
	t.Helper()
	b, posted := s.answer(t, fields)
	if code := s.post(t, b, posted); code != "" {
		t.Fatalf("refused: %s", code)
	}
	return b.session().body["user"].(map[string]any)
}

// Signing in at the samlify IdP: a student lands in the organisation as a
// trainee under their Japanese display name, faculty as an instructor
// through the role mapping, and an encrypted assertion is read as well.
func TestSAMLSignInAtThePeer(t *testing.T) {
	s := newSAMLPeer(t)

	u := s.signIn(t, url.Values{"login": {"hanako"}})
	if u["role"] != "trainee" || u["display_name"] != "山田 花子" || u["email"] != "hanako@uni.example.ac.jp" {
		t.Fatalf("student: %v", u)
	}
	if role := orgRoleOf(t, s.rg, s.admin, s.org, "hanako@uni.example.ac.jp"); role != "member" {
		t.Fatalf("student in the organisation: %q", role)
	}
	again := s.signIn(t, url.Values{"login": {"hanako"}})
	if again["id"] != u["id"] {
		t.Fatalf("a returning person got another account: %v then %v", u, again)
	}

	u = s.signIn(t, url.Values{"login": {"taro"}})
	if u["role"] != "instructor" {
		t.Fatalf("faculty: %v", u)
	}
	if role := orgRoleOf(t, s.rg, s.admin, s.org, "taro@uni.example.ac.jp"); role != "instructor" {
		t.Fatalf("faculty in the organisation: %q", role)
	}

	// The affiliation chosen at the IdP: a student released as faculty.
	b, posted := s.answer(t, url.Values{"login": {"jiro"}, "affiliation": {"faculty,member"}, "encrypt": {"1"}})
	raw, _ := base64.StdEncoding.DecodeString(posted.Get("SAMLResponse"))
	if !strings.Contains(string(raw), "EncryptedAssertion") || strings.Contains(string(raw), "jiro@uni.example.ac.jp") {
		t.Fatalf("the peer did not encrypt the assertion: %s", raw)
	}
	if code := s.post(t, b, posted); code != "" {
		t.Fatalf("an encrypted assertion was refused: %s", code)
	}
	if u := b.session().body["user"].(map[string]any); u["role"] != "instructor" || u["display_name"] != "佐藤 次郎" {
		t.Fatalf("encrypted, faculty: %v", u)
	}
}

// The attack table against answers of the real samlify IdP, tampered with
// where an IdP would not tamper, and hand-crafted XML where no IdP would
// send it: each is refused with its code, and no account is made.
func TestSAMLPeerRefusals(t *testing.T) {
	s := newSAMLPeer(t)
	before := countUsers(t, s.rg, s.admin)

	tampered := func(posted url.Values, change func(doc *etree.Document)) url.Values {
		raw, _ := base64.StdEncoding.DecodeString(posted.Get("SAMLResponse"))
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(raw); err != nil {
			t.Fatal(err)
		}
		change(doc)
		out, _ := doc.WriteToBytes()
		posted.Set("SAMLResponse", base64.StdEncoding.EncodeToString(out))
		return posted
	}
	crafted := func(posted url.Values, xml string) url.Values {
		posted.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(xml)))
		return posted
	}
	eve := url.Values{"login": {"hanako"}}

	cases := []struct {
		name   string
		fields url.Values
		change func(url.Values) url.Values
		code   string
	}{
		{"unsigned", eve, func(p url.Values) url.Values {
			return tampered(p, func(doc *etree.Document) {
				for _, sig := range doc.FindElements("//Signature") {
					sig.Parent().RemoveChild(sig)
				}
			})
		}, "sso_token_untrusted"},
		{"signed by another key", url.Values{"login": {"hanako"}, "signer": {"impostor"}}, nil, "sso_token_untrusted"},
		{"signature wrapping: a forged assertion beside the signed one", eve, func(p url.Values) url.Values {
			return tampered(p, func(doc *etree.Document) {
				signed := doc.FindElement("//Assertion")
				forged := signed.Copy()
				for _, sig := range forged.FindElements("//Signature") {
					sig.Parent().RemoveChild(sig)
				}
				forged.CreateAttr("ID", "_forged-1")
				for _, v := range forged.FindElements("//AttributeValue") {
					v.SetText(strings.ReplaceAll(v.Text(), "hanako", "mallory"))
				}
				signed.Parent().InsertChildAt(signed.Index(), forged)
			})
		}, "sso_token_untrusted"},
		{"signature wrapping: the signed assertion hidden inside a forged one", eve, func(p url.Values) url.Values {
			return tampered(p, func(doc *etree.Document) {
				signed := doc.FindElement("//Assertion")
				forged := signed.Copy()
				for _, sig := range forged.FindElements("//Signature") {
					sig.Parent().RemoveChild(sig)
				}
				forged.CreateAttr("ID", "_forged-2")
				parent := signed.Parent()
				parent.RemoveChild(signed)
				forged.AddChild(signed)
				parent.AddChild(forged)
			})
		}, "sso_token_untrusted"},
		{"expired", url.Values{"login": {"hanako"}, "age": {"7200"}}, nil, "sso_token_expired"},
		{"another audience", url.Values{"login": {"hanako"}, "audience": {"https://other.example/shibboleth"}}, nil, "sso_token_untrusted"},
		{"a response to a request we never made", url.Values{"login": {"hanako"}, "in_response_to": {"_never-made"}}, nil, "sso_token_untrusted"},
		{"entities (billion laughs)", eve, func(p url.Values) url.Values {
			return crafted(p, `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol3;</samlp:Response>`)
		}, "sso_token_untrusted"},
		{"an external entity (XXE)", eve, func(p url.Values) url.Values {
			return crafted(p, `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>`)
		}, "sso_token_untrusted"},
		{"10 MB", eve, func(p url.Values) url.Values {
			return crafted(p, "<samlp:Response>"+strings.Repeat("A", 10<<20)+"</samlp:Response>")
		}, "sso_token_untrusted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, posted := s.answer(t, tc.fields)
			if tc.change != nil {
				posted = tc.change(posted)
			}
			if code := s.post(t, b, posted); !strings.HasPrefix(code, tc.code) {
				t.Fatalf("got %q, want %s", code, tc.code)
			}
			if b.session().status == 200 {
				t.Fatal("the browser was signed in")
			}
		})
	}

	// A replayed answer: the sign-in it answered is over, so it is
	// refused before its assertion is even read again.
	t.Run("replayed", func(t *testing.T) {
		b, posted := s.answer(t, url.Values{"login": {"jiro"}})
		if code := s.post(t, b, posted); code != "" {
			t.Fatalf("the first use was refused: %s", code)
		}
		before++
		if code := s.post(t, newBrowser(t, s.base), posted); code != "sso_state_invalid" {
			t.Fatalf("a replay in another browser: %q", code)
		}
		if code := s.post(t, b, posted); code != "sso_state_invalid" {
			t.Fatalf("a replay in the same browser: %q", code)
		}
	})

	if after := countUsers(t, s.rg, s.admin); after != before {
		t.Fatalf("accounts: %d before, %d after", before, after)
	}
}

// The role mapping is applied at every sign-in to an account the provider
// manages (made by a sign-in, with no password of its own): faculty who
// are students again become trainees and members, in the range and the
// organisation. A range admin is never lowered by it.
func TestSAMLRoleMappingDemotes(t *testing.T) {
	s := newSAMLPeer(t)
	faculty := url.Values{"login": {"taro"}}
	student := url.Values{"login": {"taro"}, "affiliation": {"student,member"}}

	u := s.signIn(t, faculty)
	if u["role"] != "instructor" || orgRoleOf(t, s.rg, s.admin, s.org, "taro@uni.example.ac.jp") != "instructor" {
		t.Fatalf("faculty: %v", u)
	}
	u = s.signIn(t, student)
	if u["role"] != "trainee" {
		t.Fatalf("no longer faculty, still %v", u["role"])
	}
	if role := orgRoleOf(t, s.rg, s.admin, s.org, "taro@uni.example.ac.jp"); role != "member" {
		t.Fatalf("no longer faculty, still %q in the organisation", role)
	}
	if u = s.signIn(t, faculty); u["role"] != "instructor" {
		t.Fatalf("faculty again: %v", u)
	}

	// An admin made so by another admin stays one.
	r := s.rg.call("PATCH", "/api/v1/users/"+u["id"].(string), map[string]any{"role": "admin"}, "Authorization", "Bearer "+s.admin)
	if r.status != 200 {
		t.Fatalf("make admin: %d %s", r.status, r.raw)
	}
	if u = s.signIn(t, student); u["role"] != "admin" {
		t.Fatalf("a range admin was lowered by the role mapping: %v", u["role"])
	}
}
