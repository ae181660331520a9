package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/scoring"
)

// Cursors the feed did not give out, or gave to another organisation, are
// refused with a code; so is a limit out of range.
func TestFeedRefusesBadCursors(t *testing.T) {
	cl := newPartnerClass(t)
	feed := "/api/partner/v1/records"
	first := cl.rg.call("GET", feed+"?limit=1", nil, bearer(cl.secret["A"])...)
	expect(t, first, 200, "")
	cursor := first.body["next_cursor"].(string)
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		t.Fatal(err)
	}
	raw[16]-- // one record earlier: a replay of a record already read
	tampered := base64.RawURLEncoding.EncodeToString(raw)
	fromB := cl.rg.call("GET", feed, nil, bearer(cl.secret["B"])...).body["next_cursor"].(string)
	cl.rg.check(t, []apiCase{
		{name: "not base64", method: "GET", url: feed + "?cursor=%%%", token: cl.secret["A"], status: 400, code: "feed_cursor_malformed"},
		{name: "too short", method: "GET", url: feed + "?cursor=AAAA", token: cl.secret["A"], status: 400, code: "feed_cursor_malformed"},
		{name: "changed", method: "GET", url: feed + "?cursor=" + tampered, token: cl.secret["A"], status: 400, code: "feed_cursor_forged"},
		{name: "another organisation's", method: "GET", url: feed + "?cursor=" + url.QueryEscape(fromB), token: cl.secret["A"], status: 400, code: "feed_cursor_forged"},
		{name: "limit zero", method: "GET", url: feed + "?limit=0", token: cl.secret["A"], status: 400, code: "feed_limit_invalid"},
		{name: "limit huge", method: "GET", url: feed + "?limit=100000", token: cl.secret["A"], status: 400, code: "feed_limit_invalid"},
		{name: "limit words", method: "GET", url: feed + "?limit=ten", token: cl.secret["A"], status: 400, code: "feed_limit_invalid"},
		{name: "its own cursor", method: "GET", url: feed + "?cursor=" + cursor, token: cl.secret["A"], status: 200},
	})
}

// A page a partner already holds answers 304 to If-None-Match, and a new
// record changes the tag.
func TestPartnerRepliesCarryETags(t *testing.T) {
	cl := newPartnerClass(t)
	summary := "/api/partner/v1/cohorts/" + cl.a["id"].(string) + "/summary"
	r := cl.rg.call("GET", summary, nil, bearer(cl.secret["A"])...)
	expect(t, r, 200, "")
	tag := r.header.Get("ETag")
	if !strings.HasPrefix(tag, `"`) {
		t.Fatalf("ETag = %q", tag)
	}
	again := cl.rg.call("GET", summary, nil, append(bearer(cl.secret["A"]), "If-None-Match", tag)...)
	if again.status != 304 || again.raw != "" {
		t.Fatalf("a held copy: %d %q, want 304 and no body", again.status, again.raw)
	}
	must(t, cl.rg.db.Scoring().Record(context.Background(), scoring.Event{ID: "rec-2", Kind: scoring.EventHint, TraineeID: cl.userID["trainee"],
		InstanceID: "i1", ScenarioID: "cloud-ir", HintID: "h1", Points: -10, At: time.Now().UTC().Add(time.Second)}))
	changed := cl.rg.call("GET", summary, nil, append(bearer(cl.secret["A"]), "If-None-Match", tag)...)
	if changed.status != 200 || changed.header.Get("ETag") == tag {
		t.Fatalf("after a new record: %d with tag %q", changed.status, changed.header.Get("ETag"))
	}
	if changed.body["records"].(float64) != 2 || changed.body["points"].(float64) != 90 {
		t.Fatalf("summary = %v", changed.body)
	}
}

// The roster and progress exports, read back by a real CSV reader, keep
// Japanese names intact behind a UTF-8 byte order mark; the JSON export is
// one array of the same rows.
func TestCohortExportsRoundTripWithJapaneseNames(t *testing.T) {
	cl := newPartnerClass(t)
	ctx := context.Background()
	names := []string{"山田 花子", "佐藤 太郎", "=HYPERLINK(\"x\")"}
	for i, name := range names {
		must(t, cl.rg.db.Accounts().CreateUser(ctx, accounts.User{ID: fmt.Sprintf("jp%d", i), Email: fmt.Sprintf("jp%d@uni.ac.jp", i),
			DisplayName: name, Role: accounts.RoleTrainee, PasswordHash: "x", CreatedAt: time.Now().UTC()}))
		r := cl.rg.call("POST", "/api/partner/v1/cohorts/"+cl.a["id"].(string)+"/members", map[string]string{"email": fmt.Sprintf("jp%d@uni.ac.jp", i)},
			bearer(cl.secret["write:roster"])...)
		expect(t, r, 201, "")
	}
	base := "/api/partner/v1/cohorts/" + cl.a["id"].(string) + "/exports/"
	for _, kind := range []string{"roster", "progress"} {
		r := cl.rg.call("GET", base+kind+"?format=csv", nil, bearer(cl.secret["A"])...)
		expect(t, r, 200, "")
		if !strings.HasPrefix(r.raw, "\uFEFF") {
			t.Fatalf("%s: no byte order mark: %q", kind, r.raw[:10])
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Fatalf("%s: Content-Type %q", kind, ct)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.raw, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		got := map[string]bool{}
		for _, row := range rows[1:] {
			got[row[col["display_name"]]] = true
		}
		for _, want := range []string{"山田 花子", "佐藤 太郎", "'=HYPERLINK(\"x\")"} {
			if !got[want] {
				t.Errorf("%s: %q not read back; got %v", kind, want, got)
			}
		}
	}
	r := cl.rg.call("GET", base+"roster?format=json", nil, bearer(cl.secret["A"])...)
	var rows []map[string]any
	if err := json.NewDecoder(bytes.NewReader([]byte(r.raw))).Decode(&rows); err != nil {
		t.Fatalf("JSON export: %v\n%s", err, r.raw)
	}
	if len(rows) != 5 || rows[len(rows)-1]["display_name"] != names[2] { // instructor, trainee, three added
		t.Fatalf("JSON rows = %v", rows)
	}
	records := cl.rg.call("GET", base+"records?format=csv", nil, bearer(cl.secret["A"])...)
	if !strings.Contains(records.raw, cl.record) {
		t.Fatalf("records export lacks %s: %s", cl.record, records.raw)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
