package server_test

import (
	"testing"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server"
)

func withPartnerLimit(n int) option {
	return func(d *server.Deps, _ *accounts.Options) { d.Options.PartnerPerMinute = n }
}

// Each token has its own allowance: one integration in a loop is refused
// with 429 while another organisation's keeps working.
func TestPartnerCallsAreLimitedPerToken(t *testing.T) {
	cl := newPartnerClassWith(t, withPartnerLimit(3))
	for i := range 3 {
		if r := cl.rg.call("GET", "/api/partner/v1/cohorts", nil, bearer(cl.secret["A"])...); r.status != 200 {
			t.Fatalf("call %d: %d", i+1, r.status)
		}
	}
	expect(t, cl.rg.call("GET", "/api/partner/v1/cohorts", nil, bearer(cl.secret["A"])...), 429, "partner_rate_limited")
	expect(t, cl.rg.call("GET", "/api/partner/v1/cohorts", nil, bearer(cl.secret["B"])...), 200, "")
}

// Refusals of tokens the range issued are audited against their
// organisation; guesses and missing tokens are not, so they cannot fill
// the log.
func TestOnlyIssuedTokensRefusalsAreAudited(t *testing.T) {
	cl := newPartnerClass(t)
	for _, secret := range []string{"", "skp_guess", "not-even-a-token", cl.secret["revoked"], cl.secret["expired"]} {
		cl.rg.call("GET", "/api/partner/v1/cohorts", nil, bearer(secret)...)
	}
	entries := cl.ok("admin", "GET", "/api/v1/audit?action=partner_token.refused", nil, 200)["entries"].([]any)
	if len(entries) != 2 {
		t.Fatalf("%d refusals audited, want the revoked and the expired token's: %v", len(entries), entries)
	}
	for _, e := range entries {
		if e.(map[string]any)["target_id"] != cl.orgA {
			t.Fatalf("a refusal not against organisation A: %v", e)
		}
	}
}
