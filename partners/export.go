package partners

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// What an export holds, and how it is written.
type (
	ExportKind   string
	ExportFormat string
)

const (
	RosterExport   ExportKind   = "roster"
	ProgressExport ExportKind   = "progress"
	RecordsExport  ExportKind   = "records"
	CSV            ExportFormat = "csv"
	JSON           ExportFormat = "json"
)

var (
	ErrExportKindUnknown   = fault.InvalidField("kind", "export_kind_unknown", "Export roster, progress or records.")
	ErrExportFormatUnknown = fault.InvalidField("format", "export_format_unknown", "Export as csv or json.")
)

var exportScope = map[ExportKind]Scope{RosterExport: ReadRoster, ProgressExport: ReadProgress, RecordsExport: ReadRecords}

// Export is one cohort's export, checked and ready to write.
type Export struct {
	store    Store
	cohortID string
	kind     ExportKind
	format   ExportFormat
}

// Export checks that the token may take this export of this cohort. The
// export is written later, as a stream, by WriteTo.
func (s *Service) Export(ctx context.Context, t Token, cohortID string, kind ExportKind, format ExportFormat) (Export, error) {
	scope, ok := exportScope[kind]
	if !ok {
		return Export{}, ErrExportKindUnknown
	}
	if format != CSV && format != JSON {
		return Export{}, ErrExportFormatUnknown
	}
	if err := allow(t, scope); err != nil {
		return Export{}, err
	}
	if _, err := s.cohort(ctx, t, cohortID); err != nil {
		return Export{}, err
	}
	return Export{store: s.store, cohortID: cohortID, kind: kind, format: format}, nil
}

// FileName is what the download is called.
func (e Export) FileName() string {
	return "cohort-" + e.cohortID + "-" + string(e.kind) + "." + string(e.format)
}

// ContentType is the export's media type.
func (e Export) ContentType() string {
	if e.format == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/json"
}

// utf8BOM starts every CSV export, so spreadsheet programs that guess a
// file's encoding (Excel in Japan guesses Shift_JIS) read names right.
const utf8BOM = "\uFEFF"

// flushEvery rows the buffered output goes to the client, so a large
// export is sent as it is read.
const flushEvery = 512

// WriteTo writes the export to w row by row; nothing is held whole.
func (e Export) WriteTo(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 32*1024)
	var out rowWriter
	if e.format == CSV {
		out = newCSVRows(bw)
	} else {
		out = &jsonRows{w: bw}
	}
	if err := out.begin(header[e.kind]); err != nil {
		return err
	}
	n := 0
	emit := func(fields []string, v any) error {
		if err := out.row(fields, v); err != nil {
			return err
		}
		if n++; n%flushEvery == 0 {
			return out.flush()
		}
		return nil
	}
	var err error
	switch e.kind {
	case RosterExport:
		err = e.store.EachRosterRow(ctx, e.cohortID, func(r RosterRow) error { return emit(r.fields(), r) })
	case ProgressExport:
		err = e.store.EachProgressRow(ctx, e.cohortID, func(r ProgressRow) error { return emit(r.fields(), r) })
	case RecordsExport:
		err = e.store.EachRecord(ctx, e.cohortID, func(r Record) error { return emit(r.fields(), r) })
	}
	if err != nil {
		return err
	}
	return out.end()
}

var header = map[ExportKind][]string{
	RosterExport:   {"cohort_id", "trainee_id", "sourced_id", "email", "display_name", "role", "joined_at", "removed_at"},
	ProgressExport: {"cohort_id", "trainee_id", "sourced_id", "display_name", "points", "solved", "last_activity"},
	RecordsExport:  {"id", "kind", "trainee_id", "scenario_id", "objective_id", "hint_id", "correct", "points", "at"},
}

func (r RosterRow) fields() []string {
	return []string{r.CohortID, r.TraineeID, defuse(r.SourcedID), defuse(r.Email), defuse(r.DisplayName), r.Role, stamp(&r.JoinedAt), stamp(r.RemovedAt)}
}

func (r ProgressRow) fields() []string {
	return []string{r.CohortID, r.TraineeID, defuse(r.SourcedID), defuse(r.DisplayName), strconv.Itoa(r.Points), strconv.Itoa(r.Solved), stamp(r.LastActivity)}
}

func (r Record) fields() []string {
	return []string{r.ID, r.Kind, r.TraineeID, r.ScenarioID, r.ObjectiveID, r.HintID, strconv.FormatBool(r.Correct), strconv.Itoa(r.Points), stamp(&r.At)}
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type rowWriter interface {
	begin(header []string) error
	row(fields []string, v any) error
	flush() error
	end() error
}

type csvRows struct {
	bw *bufio.Writer
	cw *csv.Writer
}

func newCSVRows(bw *bufio.Writer) *csvRows { return &csvRows{bw: bw, cw: csv.NewWriter(bw)} }

func (c *csvRows) begin(h []string) error {
	if _, err := c.bw.WriteString(utf8BOM); err != nil {
		return err
	}
	return c.cw.Write(h)
}

func (c *csvRows) row(fields []string, _ any) error {
	return c.cw.Write(fields)
}

func (c *csvRows) flush() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

func (c *csvRows) end() error { return c.flush() }

// defuse keeps a spreadsheet from running a text cell (names, emails,
// roster ids; never numbers) as a formula: one
// that begins with =, +, -, @ or a control character is written with a
// leading apostrophe, which spreadsheets show as text.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

type jsonRows struct {
	w *bufio.Writer
	n int
}

func (j *jsonRows) begin([]string) error {
	_, err := j.w.WriteString("[")
	return err
}

func (j *jsonRows) row(_ []string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if j.n > 0 {
		if err := j.w.WriteByte(','); err != nil {
			return err
		}
	}
	j.n++
	if err := j.w.WriteByte('\n'); err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

func (j *jsonRows) flush() error { return j.w.Flush() }

func (j *jsonRows) end() error {
	if _, err := j.w.WriteString("\n]\n"); err != nil {
		return err
	}
	return j.w.Flush()
}
