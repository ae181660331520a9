package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/xapi"
)

// xapiService is organisations' xAPI forwarding over the range's store.
func xapiService(t testing.TB, db *store.DB, orgs *cohorts.Service, rec *audit.Log) *xapi.Service {
	t.Helper()
	sealer, err := accounts.NewSealer(testFlagKey)
	if err != nil {
		t.Fatal(err)
	}
	st := db.XAPI(sealer)
	out := xapi.NewOutbox(st, xapi.Client{}, xapi.Builder{HomePage: publicURL}, time.Now)
	return xapi.NewService(st, orgs, out, rec, time.Now)
}

// An org admin sets the LRS; a configuration no LRS could be reached with
// is refused with its code and stores nothing; the secret never comes
// back; another organisation's admin and instructors cannot see it; a
// replay of an unknown dead letter is not found.
func TestXAPISettingsRefuseBadInputAndKeepTheSecret(t *testing.T) {
	cl := newClass(t)
	ct := contractOf(t, cl.rg)
	base := "/api/v1/organisations/" + cl.orgA + "/xapi"
	call := func(who, method, path string, body any, status int, code string) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(body)
		if body == nil {
			raw = nil
		}
		r := cl.rg.call(method, path, body, bearer(cl.token[who])...)
		ct.holds(t, method, path, raw, r)
		expect(t, r, status, code)
		return r.body
	}
	call("adminA", "POST", base+"/dead-letters/nothing/replay", nil, 404, "xapi_no_lrs")
	for _, bad := range []struct {
		body map[string]string
		code string
	}{
		{map[string]string{"endpoint": "ftp://lrs.example.ac.jp/xapi", "auth": "basic", "key": "k", "secret": "s"}, "xapi_bad_endpoint"},
		{map[string]string{"endpoint": "https://user:pw@lrs.example.ac.jp/xapi", "auth": "basic", "key": "k", "secret": "s"}, "xapi_bad_endpoint"},
		{map[string]string{"endpoint": "lrs.example.ac.jp", "auth": "basic", "key": "k", "secret": "s"}, "xapi_bad_endpoint"},
		{map[string]string{"endpoint": "https://lrs.example.ac.jp/xapi", "auth": "basic", "key": "k"}, "xapi_bad_credentials"},
		{map[string]string{"endpoint": "https://lrs.example.ac.jp/xapi", "auth": "digest", "key": "k", "secret": "s"}, "xapi_bad_credentials"},
		{map[string]string{"endpoint": "https://lrs.example.ac.jp/xapi", "auth": "oauth2", "key": "k", "secret": "s"}, "xapi_bad_credentials"},
		{map[string]string{"endpoint": "https://lrs.example.ac.jp/xapi", "auth": "basic", "key": "k", "secret": "s", "language": " en"}, "xapi_bad_language"},
	} {
		call("adminA", "PUT", base, bad.body, 400, bad.code)
	}
	if got := call("adminA", "GET", base, nil, 200, ""); got["configured"] != false {
		t.Fatalf("a refused configuration was stored: %v", got)
	}
	good := map[string]string{"endpoint": "https://lrs.example.ac.jp/xapi", "auth": "basic", "key": "sakimori", "secret": "s3cret-value"}
	got := call("adminA", "PUT", base, good, 200, "")
	if got["configured"] != true || got["has_secret"] != true || got["key"] != "sakimori" || got["language"] != "en" {
		t.Fatalf("stored %v", got)
	}
	raw := cl.rg.call("GET", base, nil, bearer(cl.token["adminA"])...).raw
	if strings.Contains(raw, "s3cret-value") {
		t.Fatal("the secret came back")
	}
	// An empty secret keeps the stored one.
	delete(good, "secret")
	good["language"] = "ja"
	if got := call("adminA", "PUT", base, good, 200, ""); got["has_secret"] != true || got["language"] != "ja" {
		t.Fatalf("stored %v", got)
	}
	call("adminB", "GET", base, nil, 404, "organisation_not_found")
	call("teachA", "PUT", base, good, 403, "cohort_forbidden")
	call("adminA", "POST", base+"/dead-letters/no-such-record/replay", nil, 404, "xapi_dead_letter_not_found")
	if got := call("adminA", "GET", base+"/dead-letters", nil, 200, ""); len(got["dead_letters"].([]any)) != 0 {
		t.Fatalf("dead letters %v", got)
	}
}
