package competency_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/competency/secboktest"
	"github.com/sakimori/sakimori/fault"
)

var secbokHeader = []any{"大項目", "中項目", "ID", "知識項目", "CISO"}

func code(err error) string {
	var f *fault.Error
	if errors.As(err, &f) {
		return f.Code
	}
	return ""
}

func TestParseSecBoKReadsItemsWithTheirCategories(t *testing.T) {
	data := secboktest.Workbook(t, secbokHeader,
		[]any{"1 セキュリティ運用", "1.1 インシデント対応", "K1001", "インシデントハンドリングの手順", "○"},
		[]any{nil, nil, "K1002", "フォレンジック調査の基礎"},
		[]any{nil, "1.2 脆弱性管理"},
		[]any{nil, nil, "K1003", "脆弱性診断ツールの使い方"},
	)
	sb, err := competency.ParseSecBoK(data, "2025", competency.DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	if sb.Len() != 3 {
		t.Fatalf("%d items, want 3: %+v", sb.Len(), sb.Items())
	}
	it, ok := sb.Item("K1003")
	if !ok || it.Name != "脆弱性診断ツールの使い方" || it.Major != "1 セキュリティ運用" || it.Middle != "1.2 脆弱性管理" {
		t.Errorf("K1003 = %+v, %v", it, ok)
	}
}

func TestParseSecBoKToleratesHeaderSpellings(t *testing.T) {
	data := secboktest.Workbook(t, []any{"Category", "ＩＴＥＭ　ＩＤ", "Knowledge Item"},
		[]any{"Ops", "K1", "Incident handling"})
	sb, err := competency.ParseSecBoK(data, "2025", competency.DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	if it, ok := sb.Item("K1"); !ok || it.Name != "Incident handling" || it.Major != "Ops" {
		t.Errorf("K1 = %+v, %v", it, ok)
	}
}

func TestParseSecBoKRefusesBadWorkbooks(t *testing.T) {
	good := secboktest.Workbook(t, secbokHeader, []any{"1", "1.1", "K1", "x"})
	cases := map[string]struct {
		data []byte
		lim  competency.ImportLimits
		code string
	}{
		"not a zip":     {[]byte("ID,知識項目\nK1,x\n"), competency.DefaultImportLimits, competency.CodeImportMalformed},
		"no header":     {secboktest.Workbook(t, []any{"a", "b"}, []any{"K1", "x"}), competency.DefaultImportLimits, competency.CodeImportMalformed},
		"no items":      {secboktest.Workbook(t, secbokHeader), competency.DefaultImportLimits, competency.CodeImportMalformed},
		"unnamed item":  {secboktest.Workbook(t, secbokHeader, []any{"1", "1.1", "K1"}), competency.DefaultImportLimits, competency.CodeImportMalformed},
		"id twice":      {secboktest.Workbook(t, secbokHeader, []any{"1", "1.1", "K1", "x"}, []any{"1", "1.1", "K1", "y"}), competency.DefaultImportLimits, competency.CodeImportMalformed},
		"too large":     {good, competency.ImportLimits{MaxBytes: 100, MaxUncompressed: 1 << 30, MaxRatio: 100}, competency.CodeImportTooLarge},
		"expands a lot": {good, competency.ImportLimits{MaxBytes: 1 << 30, MaxUncompressed: 1000, MaxRatio: 100}, competency.CodeImportZipBomb},
		"bomb entry":    {withEntry(t, good, "xl/media/pad.bin", make([]byte, 8<<20)), competency.DefaultImportLimits, competency.CodeImportZipBomb},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := competency.ParseSecBoK(c.data, "2025", c.lim)
			if code(err) != c.code {
				t.Fatalf("err %v, want code %s", err, c.code)
			}
		})
	}
}

// withEntry copies a workbook and adds one entry: eight megabytes of zeros
// deflate to a few kilobytes, the shape of a ZIP bomb.
func withEntry(t *testing.T, workbook []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&f.FileHeader)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckSecBoKWarnsWithoutASkillMapAndNamesUnknownIds(t *testing.T) {
	s := competency.Scenario{ID: "s", Objectives: []competency.Objective{{ID: "o", SecBoK: []string{"K1", "K9"}}}}
	if pr, warn := competency.CheckSecBoK(s, nil); len(pr) != 0 || warn != competency.NoSecBoKWarning {
		t.Errorf("without a skill map: %v %q", pr, warn)
	}
	sb := competency.NewSecBoK("2025", []competency.SecBoKItem{{ID: "K1", Name: "x"}})
	pr, warn := competency.CheckSecBoK(s, sb)
	if warn != "" || len(pr) != 1 || pr[0].Path != "objectives[0].secbok[1]" {
		t.Errorf("with a skill map: %+v %q", pr, warn)
	}
	if pr, _ := competency.CheckSecBoK(competency.Scenario{}, nil); len(pr) != 0 {
		t.Errorf("a scenario without SecBoK ids: %v", pr)
	}
}

func TestTranscriptShowsSecBoKItemsOnlyWhenLoaded(t *testing.T) {
	cat := []competency.Scenario{{ID: "s", Title: "S", Objectives: []competency.Objective{{ID: "o", Title: "O", SecBoK: []string{"K1", "K404"}}}}}
	solves := []competency.Record{{ID: "1", Scenario: "s", Objective: "o", At: at}}
	plain := competency.NewIndex(competency.Bundled(), cat).Transcript(competency.Trainee{ID: "u"}, solves, at)
	if plain.SecBoK != nil {
		t.Errorf("no skill map is loaded, yet the transcript shows SecBoK: %+v", plain.SecBoK)
	}
	f := competency.Bundled().WithSecBoK(competency.NewSecBoK("2025", []competency.SecBoKItem{{ID: "K1", Name: "インシデント対応"}}))
	tr := competency.NewIndex(f, cat).Transcript(competency.Trainee{ID: "u"}, solves, at)
	if len(tr.SecBoK) != 1 || tr.SecBoK[0].Name != "インシデント対応" || tr.SecBoK[0].Evidence[0].RecordID != "1" {
		t.Errorf("SecBoK items %+v", tr.SecBoK)
	}
	if last := tr.Sources[len(tr.Sources)-1]; last.Name != "JNSA SecBoK" || last.Version != "2025" {
		t.Errorf("sources %+v", tr.Sources)
	}
}
