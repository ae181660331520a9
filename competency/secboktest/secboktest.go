// Package secboktest writes SecBoK workbooks for tests: the importer's
// own and the admin API's, which upload them.
package secboktest

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Header is the header row of JNSA's workbook, without its role columns.
var Header = []any{"大項目", "中項目", "ID", "知識項目"}

// Workbook writes a workbook shaped like JNSA's: on a sheet named 知識項目,
// a title row and a blank row above header, then rows as given (section
// headings between items, and the major and middle categories written once
// per block, as merged cells read).
func Workbook(t testing.TB, header []any, rows ...[]any) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	sheet := "知識項目"
	if err := wb.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	all := append([][]any{{"セキュリティ知識分野（SecBoK）人材スキルマップ2025年版"}, {}, header}, rows...)
	for i, row := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
