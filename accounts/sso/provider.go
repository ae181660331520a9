package sso

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/sakimori/sakimori/fault"
)

// ProviderInput is what an admin gives to configure a provider. An empty
// ClientSecret on an update keeps the secret already stored.
type ProviderInput struct {
	Name             string
	Protocol         Protocol
	Enabled          bool
	Issuer           string
	ClientID         string
	ClientSecret     string
	Metadata         string
	MetadataURL      string
	AllowedDomains   []string
	RoleClaim        string
	InstructorValues []string
	Logout           bool
}

const (
	maxNameLength   = 120
	maxFieldLength  = 2048
	maxMetadataSize = 1 << 20
	maxListLength   = 50
)

// clean validates the input and returns it trimmed.
func (in ProviderInput) clean() (ProviderInput, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > maxNameLength {
		return in, fault.InvalidField("name", "sso_name_invalid", "Give the provider a name of 1 to 120 characters, as people will see it on the sign-in page.")
	}
	in.Issuer = strings.TrimSpace(in.Issuer)
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.RoleClaim = strings.TrimSpace(in.RoleClaim)
	in.MetadataURL = strings.TrimSpace(in.MetadataURL)
	switch in.Protocol {
	case OIDC:
		if !isHTTPSURL(in.Issuer) {
			return in, fault.InvalidField("issuer", "sso_issuer_invalid", "The issuer is the provider's https URL, as its discovery document names it.")
		}
		if in.ClientID == "" || len(in.ClientID) > maxFieldLength {
			return in, fault.InvalidField("client_id", "sso_client_id_required", "Enter the client id the provider gave the range.")
		}
	case SAML:
		if in.Issuer == "" || len(in.Issuer) > maxFieldLength {
			return in, fault.InvalidField("issuer", "sso_issuer_invalid", "The issuer is the identity provider's entity id, as its metadata names it.")
		}
		if (in.Metadata == "") == (in.MetadataURL == "") || len(in.Metadata) > maxMetadataSize ||
			(in.MetadataURL != "" && !isHTTPSURL(in.MetadataURL)) {
			return in, fault.InvalidField("metadata", "sso_metadata_required", "Give the identity provider's metadata, either as XML or as an https URL, not both.")
		}
	default:
		return in, fault.InvalidField("protocol", "sso_protocol_invalid", "Protocol must be oidc or saml.")
	}
	domains, err := cleanDomains(in.AllowedDomains)
	if err != nil {
		return in, err
	}
	in.AllowedDomains = domains
	in.InstructorValues = cleanList(in.InstructorValues)
	if len(in.InstructorValues) > maxListLength || len(in.RoleClaim) > 200 {
		return in, fault.InvalidField("instructor_values", "sso_role_mapping_invalid", "A role mapping names one claim and at most 50 values.")
	}
	return in, nil
}

// isHTTPSURL accepts https URLs, and http ones on the loopback address,
// where a provider under test runs.
func isHTTPSURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || len(raw) > maxFieldLength || u.User != nil || u.Fragment != "" {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost"))
}

func cleanDomains(raw []string) ([]string, error) {
	out := cleanList(raw)
	for i, d := range out {
		d = strings.ToLower(strings.TrimPrefix(d, "@"))
		if d == "" || strings.ContainsAny(d, "@/ :") || !strings.Contains(d, ".") || len(d) > 253 {
			return nil, fault.InvalidField("allowed_domains", "sso_domain_invalid", "Allowed domains are like example.ac.jp, without @ or a scheme.")
		}
		out[i] = d
	}
	if len(out) > maxListLength {
		return nil, fault.InvalidField("allowed_domains", "sso_domain_invalid", "Allow at most 50 email domains.")
	}
	return out, nil
}

// cleanList trims each value and drops empty ones.
func cleanList(raw []string) []string {
	out := []string{}
	for _, v := range raw {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// domainAllowed reports whether email's domain is allowed by p; no list
// allows every domain.
func (p Provider) domainAllowed(email string) bool {
	if len(p.AllowedDomains) == 0 {
		return true
	}
	_, domain, ok := strings.Cut(strings.ToLower(email), "@")
	if !ok {
		return false
	}
	for _, d := range p.AllowedDomains {
		if domain == d {
			return true
		}
	}
	return false
}

// instructor reports whether the claims' roles make the person an
// instructor under p's mapping.
func (p Provider) instructor(c Claims) bool {
	if p.RoleClaim == "" {
		return false
	}
	for _, have := range c.Roles {
		for _, want := range p.InstructorValues {
			if have == want {
				return true
			}
		}
	}
	return false
}
