package cohorts_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/cohorts"
	"github.com/sakimori/sakimori/fault"
)

func readAll(t *testing.T, file string) ([]cohorts.RosterRow, []cohorts.RowError, error) {
	t.Helper()
	var rows []cohorts.RosterRow
	errs, err := cohorts.ReadRoster(strings.NewReader(file), func(r cohorts.RosterRow) { rows = append(rows, r) })
	return rows, errs, err
}

func TestRosterReadsOneRosterColumnsInAnyOrderAndCase(t *testing.T) {
	file := "\uFEFFstatus,Email,givenName,familyName,sourcedId,role,username\n" +
		"active,hanako@uni.example,花子,山田,s-1,student,hy\n" +
		"active,taro@uni.example,太郎,鈴木,t-1,teacher,ts\n"
	rows, errs, err := readAll(t, file)
	if err != nil || len(errs) != 0 {
		t.Fatalf("err %v, row errors %v", err, errs)
	}
	want := cohorts.RosterRow{Line: 2, SourcedID: "s-1", GivenName: "花子", FamilyName: "山田", Email: "hanako@uni.example", Role: "student"}
	if len(rows) != 2 || rows[0] != want || rows[1].Line != 3 || rows[1].Role != "teacher" {
		t.Fatalf("rows %+v", rows)
	}
}

func TestRosterReportsMalformedRowsByLineAndReadsOn(t *testing.T) {
	file := "email,givenName\n" +
		"a@x.example,A\n" +
		"b@x.example,B,extra\n" +
		"\n" + // blank lines are skipped, and still counted
		"c@x.example,\"C\n" +
		"d@x.example,D\n"
	rows, errs, err := readAll(t, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 || errs[0].Line != 3 || errs[0].Code != "row_malformed" {
		t.Fatalf("row errors %+v", errs)
	}
	if len(rows) < 1 || rows[0].Email != "a@x.example" {
		t.Fatalf("rows %+v", rows)
	}
}

func TestRosterRefusesFilesItCannotRead(t *testing.T) {
	sjis := "email,givenName\r\nhanako@uni.example,\x89\xd4\x8eq\r\n" // 花子 in Shift_JIS
	cases := []struct {
		name, file, code string
	}{
		{"shift_jis", sjis, "roster_not_utf8"},
		{"utf-16", "\xff\xfee\x00m\x00", "roster_not_utf8"},
		{"no email column", "name,role\nx,student\n", "roster_columns"},
		{"empty", "", "roster_columns"},
		{"header only", "email\n", "roster_empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readAll(t, c.file)
			f, ok := fault.As(err)
			if !ok || f.Code != c.code || f.Field != "file" {
				t.Fatalf("err %v, want %s on field file", err, c.code)
			}
		})
	}
	_, _, err := readAll(t, sjis)
	if !strings.Contains(err.Error(), "Line 2") || !strings.Contains(err.Error(), "Shift_JIS") {
		t.Errorf("the message should name the line and the likely encoding: %v", err)
	}
}

func TestRosterRefusesTooManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("email\n")
	for i := range cohorts.MaxRosterRows + 1 {
		fmt.Fprintf(&b, "p%d@x.example\n", i)
	}
	_, _, err := readAll(t, b.String())
	if f, ok := fault.As(err); !ok || f.Code != "roster_too_long" {
		t.Fatalf("err %v", err)
	}
}
