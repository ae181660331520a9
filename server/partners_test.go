package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/partners"
	"github.com/sakimori/sakimori/scoring"
)

// partnerClass is newClass with a record of the trainee's in cohort A, an
// assignment there, and partner tokens: one per scope for organisation A,
// one with every scope for each organisation, and A's revoked and
// expired ones.
type partnerClass struct {
	*class
	secret     map[string]string
	assignment string
	record     string
}

func newPartnerClass(t *testing.T) *partnerClass {
	t.Helper()
	return newPartnerClassWith(t)
}

func newPartnerClassWith(t *testing.T, opts ...option) *partnerClass {
	t.Helper()
	cl := &partnerClass{class: newClass(t, opts...), secret: map[string]string{}}
	cl.record = "rec-trainee-1"
	err := cl.rg.db.Scoring().Record(context.Background(), scoring.Event{ID: cl.record, Kind: scoring.EventSubmission,
		TraineeID: cl.userID["trainee"], InstanceID: "i1", ScenarioID: "cloud-ir", ObjectiveID: "find-key", Correct: true, Points: 100,
		At: time.Now().UTC().Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	cl.assignment = cl.ok("teachA", "POST", "/api/v1/cohorts/"+cl.a["id"].(string)+"/assignments", assignmentBody("cloud-ir"), 201)["id"].(string)
	issue := func(who, org, name string, scopes ...partners.Scope) map[string]any {
		return cl.ok(who, "POST", "/api/v1/organisations/"+org+"/partner-tokens", map[string]any{"name": name, "scopes": scopes,
			"expires_at": time.Now().Add(24 * time.Hour).Format(time.RFC3339)}, 201)
	}
	for _, s := range partners.Scopes {
		cl.secret[string(s)] = issue("adminA", cl.orgA, "only "+string(s), s)["secret"].(string)
	}
	cl.secret["A"] = issue("adminA", cl.orgA, "A 全部", partners.Scopes...)["secret"].(string)
	cl.secret["B"] = issue("admin", cl.orgB, "B all", partners.Scopes...)["secret"].(string)
	revoked := issue("adminA", cl.orgA, "revoked", partners.Scopes...)
	cl.ok("adminA", "DELETE", "/api/v1/organisations/"+cl.orgA+"/partner-tokens/"+revoked["id"].(string), nil, 200)
	cl.secret["revoked"] = revoked["secret"].(string)
	cl.secret["expired"] = "skp_expiredexpiredexpiredexpiredexpiredexpiredexpiredex"
	now := time.Now().UTC()
	err = cl.rg.db.Partners().CreateToken(context.Background(), partners.Token{ID: "expired", OrganisationID: cl.orgA, Name: "old",
		Scopes: partners.Scopes, CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour)}, partners.HashSecret(cl.secret["expired"]))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// Every partner endpoint against every single-scope token: the scope it
// needs serves it, every other is refused with partner_scope_missing.
func TestPartnerTokenScopesByEndpoint(t *testing.T) {
	cl := newPartnerClass(t)
	ct := contractOf(t, cl.rg)
	a := "/api/partner/v1/cohorts/" + cl.a["id"].(string)
	endpoints := []struct {
		method, path string
		needs        partners.Scope
		status       int // with the scope
	}{
		{"GET", "/api/partner/v1/cohorts", partners.ReadRoster, 200},
		{"GET", a, partners.ReadRoster, 200},
		{"GET", a + "/members", partners.ReadRoster, 200},
		{"GET", a + "/assignments", partners.ReadRoster, 200},
		{"DELETE", a + "/members/" + cl.userID["partner"], partners.WriteRoster, 404}, // not a member: reached the roster
		{"GET", a + "/summary", partners.ReadProgress, 200},
		{"GET", "/api/partner/v1/assignments/" + cl.assignment + "/status", partners.ReadProgress, 200},
		{"GET", "/api/partner/v1/trainees/" + cl.userID["trainee"] + "/progress", partners.ReadProgress, 200},
		{"GET", "/api/partner/v1/trainees/" + cl.userID["trainee"] + "/transcript", partners.ReadProgress, 200},
		{"GET", "/api/partner/v1/records", partners.ReadRecords, 200},
		{"GET", a + "/exports/roster?format=json", partners.ReadRoster, 200},
		{"GET", a + "/exports/progress?format=csv", partners.ReadProgress, 200},
		{"GET", a + "/exports/records?format=csv", partners.ReadRecords, 200},
	}
	for _, e := range endpoints {
		for _, s := range partners.Scopes {
			t.Run(fmt.Sprintf("%s %s with %s", e.method, e.path, s), func(t *testing.T) {
				r := cl.rg.call(e.method, e.path, nil, bearer(cl.secret[string(s)])...)
				if s == e.needs {
					expect(t, r, e.status, "")
				} else {
					expect(t, r, 401, "partner_scope_missing")
				}
				if !strings.Contains(e.path, "/exports/") {
					ct.repliesWithin(t, e.method, strings.Split(e.path, "?")[0], r)
				}
			})
		}
	}
}

// Another organisation's token, and tokens that are revoked, expired,
// missing, mistyped or not partner tokens at all, are refused with a code.
func TestPartnerTokensAreRefused(t *testing.T) {
	cl := newPartnerClass(t)
	a := "/api/partner/v1/cohorts/" + cl.a["id"].(string)
	cl.rg.check(t, []apiCase{
		{name: "B reads A's cohort", method: "GET", url: a, token: cl.secret["B"], status: 404, code: "cohort_not_found"},
		{name: "B reads A's roster", method: "GET", url: a + "/members", token: cl.secret["B"], status: 404, code: "cohort_not_found"},
		{name: "B exports A's records", method: "GET", url: a + "/exports/records", token: cl.secret["B"], status: 404, code: "cohort_not_found"},
		{name: "B reads A's assignment", method: "GET", url: "/api/partner/v1/assignments/" + cl.assignment + "/status", token: cl.secret["B"], status: 404, code: "assignment_not_found"},
		{name: "B reads A's trainee", method: "GET", url: "/api/partner/v1/trainees/" + cl.userID["trainee"] + "/progress", token: cl.secret["B"], status: 404, code: "trainee_not_found"},
		{name: "B lists its own cohorts only", method: "GET", url: "/api/partner/v1/cohorts", token: cl.secret["B"], status: 200,
			has: []string{"Cloud IR B"}, hasNot: []string{"Cloud IR A", "join_code"}},
		{name: "B's feed holds none of A's records", method: "GET", url: "/api/partner/v1/records", token: cl.secret["B"], status: 200, hasNot: []string{cl.record}},
		{name: "A's feed holds A's record", method: "GET", url: "/api/partner/v1/records", token: cl.secret["A"], status: 200, has: []string{cl.record}},
		{name: "revoked", method: "GET", url: "/api/partner/v1/cohorts", token: cl.secret["revoked"], status: 401, code: "partner_token_revoked"},
		{name: "expired", method: "GET", url: "/api/partner/v1/cohorts", token: cl.secret["expired"], status: 401, code: "partner_token_expired"},
		{name: "none", method: "GET", url: "/api/partner/v1/cohorts", status: 401, code: "partner_token_missing"},
		{name: "mistyped", method: "GET", url: "/api/partner/v1/cohorts", token: cl.secret["A"] + "x", status: 401, code: "partner_token_invalid"},
		{name: "a person's access token", method: "GET", url: "/api/partner/v1/cohorts", token: cl.token["adminA"], status: 401, code: "partner_token_invalid"},
		{name: "a partner token on the people's API", method: "GET", url: "/api/v1/me", token: cl.secret["A"], status: 401},
		{name: "unknown partner path", method: "GET", url: "/api/partner/v1/nothing", token: cl.secret["A"], status: 404, code: "not_found"},
		{name: "unknown export", method: "GET", url: a + "/exports/grades", token: cl.secret["A"], status: 400, code: "export_kind_unknown"},
		{name: "unknown format", method: "GET", url: a + "/exports/roster?format=xlsx", token: cl.secret["A"], status: 400, code: "export_format_unknown"},
	})
}

// Tokens are made and revoked by the organisation's admins and range
// admins only; the secret is shown once; bad input names its field.
func TestPartnerTokenManagement(t *testing.T) {
	cl := newPartnerClass(t)
	tokens := "/api/v1/organisations/" + cl.orgA + "/partner-tokens"
	exp := time.Now().Add(time.Hour).Format(time.RFC3339)
	body := map[string]any{"name": "LMS", "scopes": []string{"read:records"}, "expires_at": exp}
	cl.rg.check(t, []apiCase{
		{name: "A's instructor", method: "POST", url: tokens, body: body, token: cl.token["teachA"], status: 403, code: "cohort_forbidden"},
		{name: "B's admin", method: "POST", url: tokens, body: body, token: cl.token["adminB"], status: 404, code: "organisation_not_found"},
		{name: "a trainee", method: "GET", url: tokens, token: cl.token["trainee"], status: 404, code: "organisation_not_found"},
		{name: "no name", method: "POST", url: tokens, token: cl.token["adminA"], status: 400, code: "partner_token_name_invalid",
			body: map[string]any{"name": " ", "scopes": []string{"read:records"}, "expires_at": exp}},
		{name: "unknown scope", method: "POST", url: tokens, token: cl.token["adminA"], status: 400, code: "partner_scope_invalid",
			body: map[string]any{"name": "x", "scopes": []string{"admin"}, "expires_at": exp}},
		{name: "no scope", method: "POST", url: tokens, token: cl.token["adminA"], status: 400, code: "partner_scope_invalid",
			body: map[string]any{"name": "x", "scopes": []string{}, "expires_at": exp}},
		{name: "expiry past", method: "POST", url: tokens, token: cl.token["adminA"], status: 400, code: "partner_token_expiry_invalid",
			body: map[string]any{"name": "x", "scopes": []string{"read:records"}, "expires_at": "2020-01-01T00:00:00Z"}},
		{name: "expiry beyond a year", method: "POST", url: tokens, token: cl.token["adminA"], status: 400, code: "partner_token_expiry_invalid",
			body: map[string]any{"name": "x", "scopes": []string{"read:records"}, "expires_at": time.Now().Add(400 * 24 * time.Hour).Format(time.RFC3339)}},
		{name: "B's admin revoking A's", method: "DELETE", url: tokens + "/expired", token: cl.token["adminB"], status: 404, code: "organisation_not_found"},
		{name: "unknown token", method: "DELETE", url: tokens + "/nope", token: cl.token["adminA"], status: 404, code: "partner_token_not_found"},
	})
	list := cl.ok("adminA", "GET", tokens, nil, 200)["tokens"].([]any)
	if len(list) != 7 {
		t.Fatalf("A lists %d tokens, want 7", len(list))
	}
	for _, tok := range list {
		if _, shown := tok.(map[string]any)["secret"]; shown {
			t.Fatal("a listed token shows its secret")
		}
	}
	// A call records the token's last use and lands in A's call log.
	cl.rg.call("GET", "/api/partner/v1/cohorts", nil, bearer(cl.secret["read:roster"])...)
	cl.rg.call("GET", "/api/partner/v1/cohorts", nil, bearer(cl.secret["revoked"])...)
	calls := cl.ok("adminA", "GET", "/api/v1/organisations/"+cl.orgA+"/partner-calls", nil, 200)["entries"].([]any)
	var used, refused bool
	for _, e := range calls {
		m := e.(map[string]any)
		used = used || m["action"] == "partner_token.use"
		refused = refused || m["action"] == "partner_token.refused"
	}
	if !used || !refused {
		t.Fatalf("A's call log lacks a use or a refusal: %v", calls)
	}
	if r := cl.rg.call("GET", "/api/v1/organisations/"+cl.orgA+"/partner-calls", nil, bearer(cl.token["adminB"])...); r.status != 404 {
		t.Fatalf("B's admin reads A's call log: %d", r.status)
	}
	for _, tok := range cl.ok("adminA", "GET", tokens, nil, 200)["tokens"].([]any) {
		m := tok.(map[string]any)
		if m["name"] == "only read:roster" && m["last_used_at"] == nil {
			t.Fatal("the token's last use was not recorded")
		}
	}
}
