package sso

import "github.com/sakimori/sakimori/fault"

// The faults of signing in through an organisation. Each leaves no account
// made or changed.
var (
	ErrProviderNotFound = fault.New(fault.NotFound, "sso_provider_not_found", "No such sign-in provider.")
	ErrProviderOff      = fault.New(fault.Forbidden, "sso_provider_disabled", "Signing in through this provider is switched off; ask your organisation's admin.")
	ErrRequestUnknown   = fault.New(fault.Unauthenticated, "sso_state_invalid", "This sign-in is unknown, used or expired; start signing in again.")
	ErrProviderRefused  = fault.New(fault.Unauthenticated, "sso_provider_refused", "Your institution's sign-in page did not sign you in; try again, or ask your institution's help desk.")
	ErrExchangeFailed   = fault.New(fault.Unauthenticated, "sso_exchange_failed", "The range could not complete the sign-in with your institution; start again.")
	ErrTokenUntrusted   = fault.New(fault.Unauthenticated, "sso_token_untrusted", "Your institution's answer was not signed by the provider the range trusts, or was meant for someone else; it was refused.")
	ErrTokenExpired     = fault.New(fault.Unauthenticated, "sso_token_expired", "Your institution's answer had expired; start signing in again.")
	ErrNonceMismatch    = fault.New(fault.Unauthenticated, "sso_nonce_mismatch", "Your institution's answer does not belong to this sign-in (it may have been replayed); start again.")
	ErrReplayed         = fault.New(fault.Unauthenticated, "sso_replayed", "This answer from your institution was already used; start signing in again.")
	ErrSubjectMissing   = fault.New(fault.Unauthenticated, "sso_subject_missing", "Your institution did not say who you are; ask its help desk to release an identifier to the range.")
	ErrEmailMissing     = fault.New(fault.Forbidden, "sso_email_missing", "Your institution did not send a verified email address, which a new account needs.")
	ErrDomainNotAllowed = fault.New(fault.Forbidden, "sso_email_domain", "Your email address is not of a domain this organisation allows.")
	ErrEmailInUse       = fault.New(fault.Conflict, "sso_email_in_use", "An account with your email already exists: sign in to it with its password, then link your institution from your profile.")
	ErrIdentityTaken    = fault.New(fault.Conflict, "sso_identity_taken", "This institution account is already linked to another range account.")
	ErrProviderDown     = fault.New(fault.Unavailable, "sso_provider_unavailable", "Your institution's sign-in service did not answer; try again later.")
	ErrPasswordsOff     = fault.New(fault.Forbidden, "password_sign_in_off", "Your organisation signs you in through your institution, not with a password; use its button on the sign-in page.")
	ErrSecretMissing    = fault.New(fault.Unavailable, "sso_secret_unreadable", "This provider's client secret cannot be read on this server; an admin must enter it again.")
)
