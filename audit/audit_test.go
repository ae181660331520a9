package audit_test

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/fault"
)

// memory is an audit.Store in a slice, for the log's own rules.
type memory struct{ entries []audit.Entry }

func (m *memory) Append(_ context.Context, e audit.Entry) error {
	e.Seq = int64(len(m.entries) + 1)
	m.entries = append(m.entries, e)
	return nil
}

func (m *memory) Entries(_ context.Context, f audit.Filter) ([]audit.Entry, error) {
	var out []audit.Entry
	for i := len(m.entries) - 1; i >= 0 && len(out) < f.Limit; i-- {
		if e := m.entries[i]; f.Before == 0 || e.Seq < f.Before {
			out = append(out, e)
		}
	}
	return out, nil
}

func TestRecordFillsTimeAndRequest(t *testing.T) {
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
	m := &memory{}
	log := audit.NewLog(m, func() time.Time { return at })
	ctx := audit.WithRequest(context.Background(), audit.Request{ID: "r1", IP: "198.51.100.7"})
	detail := map[string]string{"role": "trainee"}
	if err := log.Record(ctx, audit.Entry{ActorID: "u1", Action: audit.InviteCreate, Detail: detail}); err != nil {
		t.Fatal(err)
	}
	detail["role"] = "admin" // the caller's map is not the entry's
	e := m.entries[0]
	if !e.At.Equal(at) || e.At.Location() != time.UTC || e.RequestID != "r1" || e.SourceIP != "198.51.100.7" || e.Detail["role"] != "trainee" {
		t.Fatalf("recorded entry: %+v", e)
	}
	if err := log.Record(ctx, audit.Entry{Action: "lab.explode"}); err == nil || len(m.entries) != 1 {
		t.Fatalf("an unknown action was recorded: %v", err)
	}
}

func TestParseFilterRefusesWhatItCannotRead(t *testing.T) {
	for _, q := range []audit.Query{
		{Action: "nope"}, {Since: "2026-12-01"}, {Until: "tomorrow"}, {Limit: "0"}, {Limit: "501"}, {Limit: "ten"},
		{Since: "2026-12-02T00:00:00Z", Until: "2026-12-02T00:00:00Z"}, {Cursor: "0"}, {Cursor: "1e3"},
		{Actor: strings.Repeat("x", 65)},
	} {
		_, err := audit.ParseFilter(q)
		if f, ok := fault.As(err); !ok || f.Kind != fault.Invalid || f.Field == "" {
			t.Errorf("%+v: %v, want an Invalid fault naming its field", q, err)
		}
	}
	f, err := audit.ParseFilter(audit.Query{Action: "lab.stop", Since: "2026-12-01T09:00:00+09:00", Cursor: "42", Limit: "10"})
	if err != nil || f.Action != audit.LabStop || !f.Since.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) || f.Before != 42 || f.Limit != 10 {
		t.Fatalf("a good filter: %+v %v", f, err)
	}
	if _, err := audit.ParseFormat("xml"); !errors.Is(err, audit.ErrFormatInvalid) {
		t.Fatalf("format xml: %v", err)
	}
}

// A CSV export is opened in spreadsheets: no cell may start a formula.
func TestCSVExportCannotCarryAFormula(t *testing.T) {
	m := &memory{}
	log := audit.NewLog(m, nil)
	err := log.Record(context.Background(), audit.Entry{ActorID: "=HYPERLINK(\"http://evil\")", Action: audit.UserCreate,
		TargetID: "+1", Detail: map[string]string{"email": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := log.Export(context.Background(), audit.Filter{}, audit.CSV, &b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %q %v", b.String(), err)
	}
	for _, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("cell %q starts a formula", cell)
		}
	}
}
