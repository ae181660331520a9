package oidc

import (
	"errors"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/sakimori/sakimori/accounts/sso"
	"github.com/sakimori/sakimori/fault"
)

func claimsOf(t *gooidc.IDToken, roleClaim string) (sso.Claims, error) {
	var all map[string]any
	if err := t.Claims(&all); err != nil {
		return sso.Claims{}, fault.Wrap(sso.ErrTokenUntrusted, err)
	}
	if t.Subject == "" {
		return sso.Claims{}, fault.Wrap(sso.ErrSubjectMissing, errors.New("the ID token has no sub"))
	}
	return mergeClaims(sso.Claims{Issuer: t.Issuer, Subject: t.Subject}, all, roleClaim), nil
}

// mergeClaims fills what c lacks from a claim set; roleClaim names the
// claim whose values decide a role.
func mergeClaims(c sso.Claims, all map[string]any, roleClaim string) sso.Claims {
	if c.Email == "" {
		c.Email, _ = all["email"].(string)
		c.EmailVerified = verified(all["email_verified"])
	}
	if c.DisplayName == "" {
		c.DisplayName, _ = all["name"].(string)
	}
	if c.DisplayName == "" {
		c.DisplayName, _ = all["preferred_username"].(string)
	}
	if len(c.Roles) == 0 {
		c.Roles = values(all[roleClaim])
	}
	c.MultiFactor = c.MultiFactor || multiFactor(values(all["amr"]))
	return c
}

// multiFactor reads the ID token's amr (RFC 8176): "mfa" itself, or two
// different methods (a password and a one-time code, say).
func multiFactor(amr []string) bool {
	seen := map[string]bool{}
	for _, m := range amr {
		if m == "mfa" {
			return true
		}
		seen[m] = true
	}
	return len(seen) >= 2
}

// verified reads email_verified, which some providers send as a string.
func verified(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// values reads a claim that may be one string or a list of them.
func values(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
