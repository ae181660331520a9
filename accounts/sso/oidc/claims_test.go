package oidc

import (
	"slices"
	"testing"

	"github.com/sakimori/sakimori/accounts/sso"
)

// Providers send the same facts in different shapes: email_verified as a
// string, a group claim as one value or a list. Only the claim the
// provider's mapping names decides a role.
func TestClaimsAreReadWhateverTheirShape(t *testing.T) {
	c := mergeClaims(sso.Claims{Issuer: "i", Subject: "s"}, map[string]any{
		"email": "a@uni.example", "email_verified": "true", "preferred_username": "a",
		"groups": "instructors", "roles": []any{"admin", 7},
	}, "groups")
	if c.Email != "a@uni.example" || !c.EmailVerified || c.DisplayName != "a" || !slices.Equal(c.Roles, []string{"instructors"}) {
		t.Fatalf("claims: %+v", c)
	}
	c = mergeClaims(sso.Claims{}, map[string]any{"email_verified": "yes", "roles": []any{"admin", 7}, "name": "A"}, "roles")
	if c.EmailVerified || c.DisplayName != "A" || !slices.Equal(c.Roles, []string{"admin"}) {
		t.Fatalf("claims: %+v", c)
	}
	if c := mergeClaims(sso.Claims{}, map[string]any{"groups": []any{"x"}}, ""); len(c.Roles) != 0 {
		t.Fatalf("no role claim named, yet roles read: %v", c.Roles)
	}
}

// A sign-in counts as multi-factor only when amr says so: "mfa", or two
// different methods; a password alone, or nothing said, does not.
func TestMultiFactorFromAMR(t *testing.T) {
	cases := []struct {
		amr  any
		want bool
	}{
		{[]any{"pwd", "mfa"}, true}, {[]any{"mfa"}, true}, {[]any{"pwd", "otp"}, true}, {"mfa", true},
		{[]any{"pwd"}, false}, {[]any{"otp", "otp"}, false}, {nil, false}, {[]any{7, "pwd"}, false},
	}
	for _, tc := range cases {
		claims := map[string]any{}
		if tc.amr != nil {
			claims["amr"] = tc.amr
		}
		if got := mergeClaims(sso.Claims{}, claims, "").MultiFactor; got != tc.want {
			t.Errorf("amr %v: multi-factor %v, want %v", tc.amr, got, tc.want)
		}
	}
}
