package cohorts

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/sakimori/sakimori/fault"
)

// A roster is a CSV file of people with the columns of a OneRoster 1.2
// users.csv that a cohort needs: sourcedId, givenName, familyName, email and
// role. Other OneRoster columns (status, username, orgSourcedIds, …) may be
// present and are ignored, so a school's own export imports unchanged.
// Column names match without regard to case; only email is required.
//
// The file must be UTF-8, with or without a byte-order mark (Excel's
// "CSV UTF-8" writes one). Other encodings are refused, not guessed: a
// Shift_JIS file decoded as the wrong thing would make every Japanese name
// wrong without a single error, and names are what a transcript prints.
type RosterRow struct {
	Line       int // the file's line the row starts on, 1 being the header
	SourcedID  string
	GivenName  string
	FamilyName string
	Email      string
	Role       string // as written
}

// RowError is one problem with one row, by the row's line number.
type RowError struct {
	Line    int
	Field   string // the column at fault, by its OneRoster name
	Code    string
	Message string
}

// Limits of a roster, so one upload cannot hold the server.
const (
	MaxRosterRows   = 50_000
	maxRowErrors    = 1000 // more than this and the file is not worth reading on
	maxSourcedIDLen = 255
)

var (
	errRosterNotUTF8    = fault.InvalidField("file", "roster_not_utf8", "The file is not UTF-8. Save it from your spreadsheet as \"CSV UTF-8\" (Excel in Japan saves plain CSV as Shift_JIS, which is not read) and import it again.")
	errRosterNoEmail    = fault.InvalidField("file", "roster_columns", "The first line must name the columns, including email (OneRoster: sourcedId, givenName, familyName, email, role).")
	errRosterEmpty      = fault.InvalidField("file", "roster_empty", "The file has no rows of people.")
	errRosterTooLong    = fault.InvalidField("file", "roster_too_long", fmt.Sprintf("A roster has at most %d rows; split the file.", MaxRosterRows))
	errRosterUnreadable = fault.InvalidField("file", "roster_unreadable", "The file could not be read as CSV.")
)

// ReadRoster reads a roster row by row, calling fn for each well-formed row
// and collecting row errors for the rest. It returns a fault for a file that
// cannot be a roster at all. Memory is that of one row at a time.
func ReadRoster(r io.Reader, fn func(RosterRow)) ([]RowError, error) {
	br := bufio.NewReader(r)
	if err := skipBOM(br); err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errRosterNoEmail
	}
	if err != nil {
		return nil, fault.Wrap(errRosterUnreadable, err)
	}
	cols, err := columnsOf(header)
	if err != nil {
		return nil, err
	}
	var rowErrs []RowError
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		var parse *csv.ParseError
		switch {
		case errors.As(err, &parse):
			rowErrs = append(rowErrs, RowError{Line: parse.StartLine, Field: "", Code: "row_malformed", Message: rowMessage(parse)})
			if len(rowErrs) >= maxRowErrors {
				return rowErrs, nil
			}
			continue
		case err != nil:
			return nil, fault.Wrap(errRosterUnreadable, err)
		}
		if blank(rec) {
			continue
		}
		rows++
		if rows > MaxRosterRows {
			return nil, errRosterTooLong
		}
		for _, f := range rec {
			if !utf8.ValidString(f) {
				e := *errRosterNotUTF8
				e.Message = fmt.Sprintf("Line %d is not UTF-8. %s", line, e.Message)
				return nil, &e
			}
		}
		fn(RosterRow{
			Line: line, SourcedID: cols.get(rec, "sourcedid"), GivenName: cols.get(rec, "givenname"),
			FamilyName: cols.get(rec, "familyname"), Email: cols.get(rec, "email"), Role: cols.get(rec, "role"),
		})
	}
	if rows == 0 && len(rowErrs) == 0 {
		return nil, errRosterEmpty
	}
	return rowErrs, nil
}

// skipBOM drops a UTF-8 byte-order mark and refuses UTF-16 and UTF-32,
// whose marks say plainly what they are.
func skipBOM(br *bufio.Reader) error {
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}), bytes.HasPrefix(head, []byte{0, 0}):
		return errRosterNotUTF8
	}
	return nil
}

// columns maps a lower-cased OneRoster column name to its index.
type columns map[string]int

func columnsOf(header []string) (columns, error) {
	cols := columns{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, errRosterNotUTF8
		}
		name := strings.ToLower(strings.TrimSpace(h))
		if _, dup := cols[name]; !dup {
			cols[name] = i
		}
	}
	if _, ok := cols["email"]; !ok {
		return nil, errRosterNoEmail
	}
	return cols, nil
}

func (c columns) get(rec []string, name string) string {
	i, ok := c[name]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func rowMessage(e *csv.ParseError) string {
	switch {
	case errors.Is(e.Err, csv.ErrFieldCount):
		return "This row has a different number of columns from the first line."
	case errors.Is(e.Err, csv.ErrQuote), errors.Is(e.Err, csv.ErrBareQuote):
		return "This row has a stray double quote; quote a whole field, and double any quote inside it."
	}
	return "This row could not be read as CSV."
}
