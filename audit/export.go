package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sakimori/sakimori/fault"
)

// Format is how an export is written.
type Format string

const (
	NDJSON Format = "ndjson" // one JSON entry a line
	CSV    Format = "csv"    // a header line, then one entry a line; detail as key=value pairs
)

// ErrFormatInvalid refuses an export format the log does not write.
var ErrFormatInvalid = fault.InvalidField("format", "audit_format_invalid", "Format must be ndjson or csv.")

// ParseFormat reads a client's format; empty means NDJSON.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "", NDJSON:
		return NDJSON, nil
	case CSV:
		return CSV, nil
	}
	return "", ErrFormatInvalid
}

// ContentType is the media type of an export in the format.
func (f Format) ContentType() string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/x-ndjson"
}

var csvHeader = []string{"seq", "at", "actor_id", "actor_role", "action", "target_kind", "target_id", "detail", "request_id", "source_ip"}

// Export writes every entry matching f to w in the format, newest first.
// The caller records the export itself before calling, so the export
// holds its own entry.
func (l *Log) Export(ctx context.Context, f Filter, format Format, w io.Writer) error {
	if format == CSV {
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
		err := l.Each(ctx, f, func(e Entry) error { return cw.Write(csvRecord(e)) })
		cw.Flush()
		if err != nil {
			return err
		}
		return cw.Error()
	}
	enc := json.NewEncoder(w)
	return l.Each(ctx, f, func(e Entry) error { return enc.Encode(e) })
}

func csvRecord(e Entry) []string {
	rec := []string{
		strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.ActorRole, string(e.Action),
		e.TargetKind, e.TargetID, csvDetail(e.Detail), e.RequestID, e.SourceIP,
	}
	for i := range rec {
		rec[i] = csvSafe(rec[i])
	}
	return rec
}

// csvDetail writes detail as key=value pairs in key order.
func csvDetail(d map[string]string) string {
	parts := make([]string, 0, len(d))
	for _, k := range slices.Sorted(maps.Keys(d)) {
		parts = append(parts, k+"="+d[k])
	}
	return strings.Join(parts, " ")
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet
// (CSV injection): a cell starting with = + - @ or a tab gets a quote first.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
