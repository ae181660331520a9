package badges

import "net/url"

// URLs are where the range publishes what a verifier dereferences. The
// issuer is identified by an https URL (not a did:web): the range already
// serves every public document under its own origin, and a verifier needs
// no DID resolver to follow it.
type URLs struct {
	Base string // the range's public origin, e.g. https://range.example.ac.jp
}

const prefix = "/api/v1/badges"

// Issuer is the issuer's id: its controller document and profile.
func (u URLs) Issuer() string { return u.Base + prefix + "/issuer" }

// Key is the verification method of the key kid.
func (u URLs) Key(kid string) string { return u.Issuer() + "/keys/" + url.PathEscape(kid) }

// StatusList is the revocation list credential.
func (u URLs) StatusList() string { return u.Base + prefix + "/status/revocation" }

// Credential is an award's credential, as JSON-LD with its proof.
func (u URLs) Credential(id string) string {
	return u.Base + prefix + "/credentials/" + url.PathEscape(id)
}

// Achievement names an achievement: one per scenario, one per work role.
func (u URLs) Achievement(kind, ref string) string {
	return u.Base + prefix + "/achievements/" + kind + "/" + url.PathEscape(ref)
}
