package sso

import (
	"testing"

	"github.com/sakimori/sakimori/fault"
)

func TestProviderInputIsChecked(t *testing.T) {
	good := ProviderInput{Name: "Uni", Protocol: OIDC, Issuer: "https://idp.uni.example", ClientID: "c"}
	cases := []struct {
		name string
		edit func(*ProviderInput)
		code string
	}{
		{"good", func(*ProviderInput) {}, ""},
		{"loopback http for a provider under test", func(p *ProviderInput) { p.Issuer = "http://127.0.0.1:8080" }, ""},
		{"no name", func(p *ProviderInput) { p.Name = "  " }, "sso_name_invalid"},
		{"plain http issuer", func(p *ProviderInput) { p.Issuer = "http://idp.uni.example" }, "sso_issuer_invalid"},
		{"issuer with credentials", func(p *ProviderInput) { p.Issuer = "https://u:p@idp.uni.example" }, "sso_issuer_invalid"},
		{"no client id", func(p *ProviderInput) { p.ClientID = "" }, "sso_client_id_required"},
		{"unknown protocol", func(p *ProviderInput) { p.Protocol = "cas" }, "sso_protocol_invalid"},
		{"domain with @", func(p *ProviderInput) { p.AllowedDomains = []string{"a@uni.example"} }, "sso_domain_invalid"},
		{"domain with a scheme", func(p *ProviderInput) { p.AllowedDomains = []string{"https://uni.example"} }, "sso_domain_invalid"},
		{"saml without metadata", func(p *ProviderInput) { p.Protocol = SAML }, "sso_metadata_required"},
		{"saml with both metadata forms", func(p *ProviderInput) {
			p.Protocol, p.Metadata, p.MetadataURL = SAML, "<x/>", "https://idp.uni.example/md"
		}, "sso_metadata_required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good
			c.edit(&in)
			_, err := in.clean()
			f, _ := fault.As(err)
			switch {
			case c.code == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.code != "" && (f == nil || f.Code != c.code):
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
}

func TestDomainsAreCleanedAndMatchedWhole(t *testing.T) {
	in := ProviderInput{Name: "Uni", Protocol: OIDC, Issuer: "https://idp.uni.example", ClientID: "c",
		AllowedDomains: []string{" @Uni.Example ", "", "mail.uni.example"}}
	out, err := in.clean()
	if err != nil {
		t.Fatal(err)
	}
	p := Provider{AllowedDomains: out.AllowedDomains}
	for email, want := range map[string]bool{
		"a@uni.example": true, "A@MAIL.UNI.EXAMPLE": true, "a@evil-uni.example": false, "a@uni.example.evil": false, "no-at": false,
	} {
		if got := p.domainAllowed(email); got != want {
			t.Errorf("%s: %v, want %v", email, got, want)
		}
	}
}

func TestReturnPathsStayOnTheRange(t *testing.T) {
	for in, want := range map[string]string{
		"/cohorts": "/cohorts", "": "/", "https://evil.example/": "/", "//evil.example": "/", "/\\evil.example": "/", "/a\r\nSet-Cookie: x": "/",
	} {
		if got := safePath(in); got != want {
			t.Errorf("safePath(%q) = %q, want %q", in, got, want)
		}
	}
}
