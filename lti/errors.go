package lti

import "github.com/sakimori/sakimori/fault"

// The faults of LTI. A refused launch, link or grade request records
// nothing and changes nothing.
var (
	ErrPlatformNotFound    = fault.New(fault.NotFound, "lti_platform_not_found", "No such learning platform is registered.")
	ErrIssuerUnknown       = fault.New(fault.Unauthenticated, "lti_issuer_unknown", "This learning platform is not registered with the range; ask your organisation's admin to add it.")
	ErrPlatformRevoked     = fault.New(fault.Forbidden, "lti_platform_revoked", "This learning platform's registration was revoked.")
	ErrStateUnknown        = fault.New(fault.Unauthenticated, "lti_state_invalid", "This launch is unknown, used or expired; launch again from your course.")
	ErrTokenUntrusted      = fault.New(fault.Unauthenticated, "lti_token_untrusted", "The launch was not signed by the platform the range trusts, or was meant for another tool; it was refused.")
	ErrTokenExpired        = fault.New(fault.Unauthenticated, "lti_token_expired", "The launch had expired; launch again from your course.")
	ErrNonceReplayed       = fault.New(fault.Unauthenticated, "lti_nonce_replayed", "This launch was already used; launch again from your course.")
	ErrDeploymentUnknown   = fault.New(fault.Forbidden, "lti_deployment_unknown", "The launch came from a deployment of the platform that is not registered.")
	ErrMessageUnsupported  = fault.New(fault.Invalid, "lti_message_unsupported", "The launch is not an LTI 1.3 resource link or deep linking request.")
	ErrClaimsMissing       = fault.New(fault.Invalid, "lti_claims_missing", "The launch lacks who you are, your email or your course.")
	ErrContextUnbound      = fault.New(fault.Forbidden, "lti_context_unbound", "This course is not yet linked to a class on the range; your instructor must open it from the course first.")
	ErrEmailInUse          = fault.New(fault.Conflict, "lti_email_in_use", "An account with your email already exists on the range and is not linked to this platform; ask an admin.")
	ErrLaunchNotDeepLink   = fault.New(fault.Invalid, "lti_not_deep_linking", "This launch cannot return a content item: it was not a deep linking request, or is used.")
	ErrPlatformMismatch    = fault.New(fault.Forbidden, "lti_platform_mismatch", "This item belongs to another class or platform than the one asking.")
	ErrPlatformFailed      = fault.New(fault.Unavailable, "lti_platform_unavailable", "The learning platform did not answer a token, grade or roster request as it should; it will be asked again.")
	ErrPlatformInvalid     = fault.New(fault.Invalid, "lti_platform_invalid", "A platform needs a name, an issuer, a client id, a deployment id and https (or loopback) URLs for login, token and keys.")
	ErrPlatformTaken       = fault.New(fault.Conflict, "lti_platform_taken", "A platform with this issuer and client id is already registered.")
	ErrRegistrationInvalid = fault.New(fault.Forbidden, "lti_registration_invalid", "This registration link is unknown, used or expired; ask the range's admin for a new one.")
	ErrRegistrationFailed  = fault.New(fault.Unavailable, "lti_registration_failed", "The learning platform's configuration or registration service did not answer as LTI Dynamic Registration asks.")
)
