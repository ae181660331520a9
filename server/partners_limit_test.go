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
