package store_test

import (
	"testing"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/store"
	"github.com/sakimori/sakimori/store/storetest"
)

// The audit log and the scoring events are append-only by the database
// (docs/security.md case 11): raw UPDATE and DELETE statements, which no
// adapter sends, are refused on both dialects, and the rows stay as written.
func TestAppendOnlyTablesRefuseChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		trainees(t, db, "a")
		log := audit.NewLog(db.Audit(), nil)
		must(t, log.Record(ctx, audit.Entry{ActorID: "a", ActorRole: "admin", Action: audit.InviteCreate, TargetKind: "invite", TargetID: "i1"}))
		must(t, db.Scoring().Record(ctx, scoring.Event{ID: "e1", Kind: scoring.EventSubmission, TraineeID: "a",
			InstanceID: "l1", ScenarioID: "s", ObjectiveID: "o", Correct: true, Points: 10, At: time.Now()}))

		refused := []string{
			"UPDATE audit_log SET action = 'user.create'",
			"DELETE FROM audit_log",
			"UPDATE scoring_events SET points = 1000",
			"DELETE FROM scoring_events",
		}
		if db.Dialect() == "postgres" {
			refused = append(refused, "TRUNCATE audit_log", "TRUNCATE scoring_events")
		}
		for _, q := range refused {
			if n, err := db.Exec(ctx, q); err == nil {
				t.Errorf("%s: allowed (%d rows)", q, n)
			}
		}
		page, err := log.Read(ctx, audit.Filter{})
		if err != nil || len(page.Entries) != 1 || page.Entries[0].Action != audit.InviteCreate {
			t.Fatalf("the audit entry after the refused changes: %+v %v", page, err)
		}
		events, err := db.Scoring().Events(ctx, "a", "s")
		if err != nil || len(events) != 1 || events[0].Points != 10 {
			t.Fatalf("the scoring event after the refused changes: %+v %v", events, err)
		}
	})
}

func TestAuditLogFiltersAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		log := audit.NewLog(db.Audit(), nil)
		for i := range 7 {
			actor, action := "admin1", audit.InviteCreate
			if i%2 == 1 {
				actor, action = "inst1", audit.ReplayWatch
			}
			ctx := audit.WithRequest(ctx, audit.Request{ID: "req", IP: "192.0.2.1"})
			must(t, log.Record(ctx, audit.Entry{At: start.Add(time.Duration(i) * time.Minute), ActorID: actor, ActorRole: "admin",
				Action: action, TargetKind: "thing", TargetID: "t", Detail: map[string]string{"n": string(rune('0' + i))}}))
		}
		all, err := log.Read(ctx, audit.Filter{Limit: 3})
		if err != nil || len(all.Entries) != 3 || all.Cursor == "" || all.Entries[0].Detail["n"] != "6" {
			t.Fatalf("first page: %+v %v", all, err)
		}
		if e := all.Entries[0]; e.RequestID != "req" || e.SourceIP != "192.0.2.1" || !e.At.Equal(start.Add(6*time.Minute)) {
			t.Fatalf("entry as read back: %+v", e)
		}
		var seen []string
		must(t, log.Each(ctx, audit.Filter{}, func(e audit.Entry) error { seen = append(seen, e.Detail["n"]); return nil }))
		if len(seen) != 7 || seen[0] != "6" || seen[6] != "0" {
			t.Fatalf("every entry, newest first: %v", seen)
		}
		f, err := audit.ParseFilter(audit.Query{Actor: "inst1", Limit: "2"})
		must(t, err)
		p1, err := log.Read(ctx, f)
		must(t, err)
		f.Before = mustCursor(t, p1.Cursor)
		p2, err := log.Read(ctx, f)
		must(t, err)
		if len(p1.Entries) != 2 || len(p2.Entries) != 1 || p2.Cursor != "" || p2.Entries[0].Detail["n"] != "1" {
			t.Fatalf("one actor's entries in pages of 2: %+v then %+v", p1, p2)
		}
		window, err := log.Read(ctx, audit.Filter{Action: audit.InviteCreate, Since: start.Add(2 * time.Minute), Until: start.Add(6 * time.Minute)})
		if err != nil || len(window.Entries) != 2 || window.Entries[0].Detail["n"] != "4" || window.Entries[1].Detail["n"] != "2" {
			t.Fatalf("one action between since and until: %+v %v", window, err)
		}
	})
}

func mustCursor(t *testing.T, cursor string) int64 {
	t.Helper()
	f, err := audit.ParseFilter(audit.Query{Cursor: cursor})
	if err != nil {
		t.Fatalf("cursor %q: %v", cursor, err)
	}
	return f.Before
}
