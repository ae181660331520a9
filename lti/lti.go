// Package lti makes the range an LTI 1.3 tool with LTI Advantage: a
// learning platform (Moodle, Canvas) launches people into it through an
// OpenID Connect third-party login, an instructor picks a scenario's
// assignment there by Deep Linking, and grades go back through the
// Assignment and Grade Services. A platform is registered to one
// organisation; each LMS course (its context) is bound to one cohort of
// that organisation, and the people it launches land there. It knows
// nothing of HTTP frameworks or SQL.
package lti

import "time"

// The LTI claim names and values this tool reads and writes.
const (
	Version           = "1.3.0"
	ResourceLinkMsg   = "LtiResourceLinkRequest"
	DeepLinkingMsg    = "LtiDeepLinkingRequest"
	DeepLinkingReply  = "LtiDeepLinkingResponse"
	claimPrefix       = "https://purl.imsglobal.org/spec/lti/claim/"
	claimMessageType  = claimPrefix + "message_type"
	claimVersion      = claimPrefix + "version"
	claimDeployment   = claimPrefix + "deployment_id"
	claimRoles        = claimPrefix + "roles"
	claimContext      = claimPrefix + "context"
	claimResourceLink = claimPrefix + "resource_link"
	claimCustom       = claimPrefix + "custom"
	claimDeepLinking  = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
	claimDLItems      = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
	claimDLData       = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
	claimAGS          = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
	ScopeLineItem     = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
	ScopeScore        = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
	ScopeMemberships  = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
	claimNRPS         = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
)

// Platform is one registered learning platform: the values its admin
// gives the range (or Dynamic Registration fetched).
type Platform struct {
	ID             string
	OrganisationID string
	Name           string
	Issuer         string // the platform's iss
	ClientID       string // the range's client id at the platform (its aud)
	DeploymentIDs  []string
	AuthURL        string // OIDC authorization endpoint the launch is sent to
	TokenURL       string // OAuth2 token endpoint for AGS
	JWKSURL        string // where the platform publishes its keys
	Revoked        bool
	CreatedAt      time.Time
}

// Deploys says whether id is one of the platform's deployments.
func (p Platform) Deploys(id string) bool {
	for _, d := range p.DeploymentIDs {
		if d == id {
			return true
		}
	}
	return false
}

// LoginState is one login initiation in flight, taken once by its launch.
type LoginState struct {
	State      string
	Nonce      string
	PlatformID string
	ExpiresAt  time.Time
}

// Binding ties an LMS context (a course) to a cohort of the platform's
// organisation.
type Binding struct {
	PlatformID string
	ContextID  string
	CohortID   string
	Title      string
	// MembershipsURL is the course's NRPS roster, if the platform offers one.
	MembershipsURL string
}

// ResourceLink is a link placed in the LMS by Deep Linking: launching it
// opens the assignment, and grades go to its line item.
type ResourceLink struct {
	PlatformID   string
	ResourceID   string // the range's own id, sent in the content item as custom.resource
	AssignmentID string
	ContextID    string
	LineItemURL  string // learned at the first launch of the link
}

// Grade is the score last published for one person on one line item, so
// an unchanged one is not sent again.
type Grade struct {
	LineItemURL string
	UserID      string
	Given       int
	Maximum     int
}
