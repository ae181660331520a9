package lti

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/sakimori/sakimori/accounts"
)

// Launch is what a platform's id_token said, once every check passed.
type Launch struct {
	Platform     Platform
	Subject      string
	Email        string
	Name         string
	Instructor   bool
	MessageType  string
	DeploymentID string
	ContextID    string
	ContextTitle string
	ResourceID   string // our content item's custom.resource, if any
	LineItemURL  string // the AGS endpoint's lineitem, if any
	LineItemsURL string // the AGS endpoint's lineitems (the course's), if any
	LinkID       string // the platform's resource link id
	Memberships  string // the NRPS roster's URL, if any
	DeepLinking  DeepLinkSettings
}

// DeepLinkSettings are a deep linking request's settings to answer to.
type DeepLinkSettings struct {
	ReturnURL string `json:"deep_link_return_url"`
	Data      string `json:"data,omitempty"`
}

// Landing is where a launched person goes: who they are now, their class,
// and the assignment or the deep-link ticket the launch was for.
type Landing struct {
	User         accounts.User
	Instructor   bool
	CohortID     string
	AssignmentID string
	Ticket       string // deep linking: what the picker sends back
}

// Validate checks a launch's id_token and the state it came with, in this
// order: the platform is registered; the signature, issuer, audience and
// times; azp; the deployment; the message type and version; the nonce,
// accepted once; the state, taken once, of this platform with this nonce.
// A token refused by any check records nothing.
func (s *Service) Validate(ctx context.Context, state, raw string) (Launch, error) {
	insecure, err := jwt.ParseInsecure([]byte(raw))
	if err != nil {
		return Launch{}, ErrTokenUntrusted
	}
	iss, _ := insecure.Issuer()
	aud, _ := insecure.Audience()
	var azp string
	_ = insecure.Get("azp", &azp)
	clientID := azp
	if clientID == "" && len(aud) == 1 {
		clientID = aud[0]
	}
	p, err := s.store.PlatformFor(ctx, iss, clientID)
	if err != nil {
		return Launch{}, unknownIssuer(err)
	}
	if p.Revoked {
		return Launch{}, ErrPlatformRevoked
	}
	tok, err := s.verify(ctx, p, raw, kidOf(raw))
	if err != nil {
		return Launch{}, err
	}
	if len(aud) > 1 && azp != p.ClientID || azp != "" && azp != p.ClientID {
		return Launch{}, ErrTokenUntrusted
	}
	l, nonce, err := claimsOf(tok)
	if err != nil {
		return Launch{}, err
	}
	l.Platform = p
	if !p.Deploys(l.DeploymentID) {
		return Launch{}, ErrDeploymentUnknown
	}
	exp, _ := tok.Expiration()
	if fresh, err := s.store.Remember(ctx, "lti:"+p.Issuer+"\x00"+nonce, exp.Add(stateTTL)); err != nil {
		return Launch{}, err
	} else if !fresh {
		return Launch{}, ErrNonceReplayed
	}
	st, err := s.store.TakeState(ctx, state)
	if err != nil {
		return Launch{}, err
	}
	if st.PlatformID != p.ID || st.Nonce != nonce || s.now().After(st.ExpiresAt) {
		return Launch{}, ErrStateUnknown
	}
	return l, nil
}

func kidOf(raw string) string {
	msg, err := jws.Parse([]byte(raw))
	if err != nil || len(msg.Signatures()) == 0 {
		return ""
	}
	kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID()
	return kid
}

// claimsOf reads the LTI claims; a launch of another kind or version, or
// without a person, a deployment or a course, is refused.
func claimsOf(tok jwt.Token) (Launch, string, error) {
	var l Launch
	var nonce, version string
	l.Subject, _ = tok.Subject()
	_ = tok.Get("nonce", &nonce)
	_ = tok.Get("email", &l.Email)
	_ = tok.Get("name", &l.Name)
	_ = tok.Get(claimMessageType, &l.MessageType)
	_ = tok.Get(claimVersion, &version)
	_ = tok.Get(claimDeployment, &l.DeploymentID)
	if version != Version || (l.MessageType != ResourceLinkMsg && l.MessageType != DeepLinkingMsg) {
		return l, "", ErrMessageUnsupported
	}
	var roles []string
	_ = claim(tok, claimRoles, &roles)
	l.Instructor = teaches(roles)
	var course struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := claim(tok, claimContext, &course); err == nil {
		l.ContextID, l.ContextTitle = course.ID, course.Title
	}
	var custom map[string]string
	if err := claim(tok, claimCustom, &custom); err == nil {
		l.ResourceID = custom["resource"]
	}
	var ags struct {
		LineItem  string `json:"lineitem"`
		LineItems string `json:"lineitems"`
	}
	if err := claim(tok, claimAGS, &ags); err == nil {
		l.LineItemURL, l.LineItemsURL = ags.LineItem, ags.LineItems
	}
	var link struct {
		ID string `json:"id"`
	}
	if err := claim(tok, claimResourceLink, &link); err == nil {
		l.LinkID = link.ID
	}
	var nrps struct {
		URL string `json:"context_memberships_url"`
	}
	if err := claim(tok, claimNRPS, &nrps); err == nil {
		l.Memberships = nrps.URL
	}
	if l.MessageType == DeepLinkingMsg {
		if err := claim(tok, claimDeepLinking, &l.DeepLinking); err != nil || l.DeepLinking.ReturnURL == "" {
			return l, "", ErrClaimsMissing
		}
	}
	if l.Subject == "" || nonce == "" || l.ContextID == "" || l.Email == "" {
		return l, "", ErrClaimsMissing
	}
	return l, nonce, nil
}

// claim decodes a JSON object claim into out.
func claim(tok jwt.Token, name string, out any) error {
	var v any
	if err := tok.Get(name, &v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// teaches says whether the LTI roles make an instructor: the course's
// instructors and administrators, and the institution's.
func teaches(roles []string) bool {
	for _, r := range roles {
		for _, t := range []string{"membership#Instructor", "membership#Administrator", "institution/person#Instructor",
			"institution/person#Administrator", "system/person#Administrator"} {
			if strings.HasSuffix(r, t) {
				return true
			}
		}
	}
	return false
}
