package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/scoring"
)

// A trainee downloads everything the range holds about them as one JSON
// file: their account and every record, hints and wrong answers included.
func TestTraineeDownloadsTheirOwnData(t *testing.T) {
	rg := newRangeWithLabs(t, fakeLabs())
	rg.setupAdmin()
	token, _ := rg.userWithRole("hanako@uni.ac.jp", accounts.RoleTrainee)
	other, _ := rg.userWithRole("taro@uni.ac.jp", accounts.RoleTrainee)
	me := rg.call("GET", "/api/v1/me", nil, bearer(token)...).body["id"].(string)
	them := rg.call("GET", "/api/v1/me", nil, bearer(other)...).body["id"].(string)
	for id, who := range map[string]string{"mine-1": me, "mine-2": me, "theirs": them} {
		must(t, rg.db.Scoring().Record(context.Background(), scoring.Event{ID: id, Kind: scoring.EventSubmission, TraineeID: who,
			InstanceID: "i1", ScenarioID: "cloud-ir", ObjectiveID: id, IP: "192.0.2.7", At: time.Now().UTC()}))
	}
	r := rg.call("GET", "/api/v1/me/export", nil, bearer(token)...)
	expect(t, r, 200, "")
	if !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("Content-Disposition = %q", r.header.Get("Content-Disposition"))
	}
	var doc struct {
		Account struct{ Email string }
		Records []struct{ ID, IP string }
	}
	if err := json.Unmarshal([]byte(r.raw), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.raw)
	}
	if doc.Account.Email != "hanako@uni.ac.jp" || len(doc.Records) != 2 || doc.Records[0].IP != "192.0.2.7" {
		t.Fatalf("export = %+v", doc)
	}
	if strings.Contains(r.raw, "theirs") {
		t.Fatal("another trainee's record is in the export")
	}
	expect(t, rg.call("GET", "/api/v1/me/export", nil), 401, "token_missing")
}
