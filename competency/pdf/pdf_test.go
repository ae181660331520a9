package pdf_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/competency"
	"github.com/sakimori/sakimori/competency/pdf"
)

var at = time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)

func transcript(solves int) competency.Transcript {
	return transcriptOn(competency.Bundled(), solves)
}

func transcriptOn(f *competency.Frameworks, solves int) competency.Transcript {
	cat := []competency.Scenario{{ID: "metadata-heist", Title: "メタデータ強奪", Techniques: []string{"T1552.005"}, Roles: []string{"Incident Response"},
		Objectives: []competency.Objective{{ID: "steal", Title: "ロールの鍵を盗む", Verified: "flag", Statements: []string{"T1030", "K0729"}, SecBoK: []string{"K-3-2"}}}}}
	var records []competency.Record
	for i := range solves {
		records = append(records, competency.Record{ID: fmt.Sprintf("rec-%03d", i), Scenario: "metadata-heist", Objective: "steal", Lab: "lab-7", At: at})
	}
	return competency.NewIndex(f, cat).Transcript(competency.Trainee{ID: "u-1", Name: "佐藤 花子"}, records, at)
}

// text extracts the PDF's text with poppler's pdftotext, as a reader's
// tools would.
func text(t *testing.T, doc []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is required in CI, which installs it")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "transcript.pdf")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestTheTranscriptReadsBackWithJapaneseNames(t *testing.T) {
	var buf bytes.Buffer
	if err := pdf.Write(&buf, transcript(1), pdf.English); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:16])
	}
	got := text(t, buf.Bytes())
	for _, want := range []string{"佐藤 花子", "Competency transcript", "PD-WRL-003 Incident Response", "T1552.005", "T1030", "K0729",
		"メタデータ強奪 / ロールの鍵を盗む", "rec-000", "lab-7", "2026-11-03 09:00 UTC", "The MITRE Corporation"} {
		if !strings.Contains(got, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, got)
		}
	}
	if buf.Len() > 2<<20 {
		t.Errorf("the PDF is %d bytes: the font must be embedded as a subset", buf.Len())
	}
	if strings.Contains(got, "SecBoK") {
		t.Errorf("no skill map is imported, yet the PDF speaks of SecBoK:\n%s", got)
	}
}

// Once an admin has imported JNSA's skill map, the items a trainee showed
// are printed with their evidence, under a heading in the reader's
// language, and the map is credited.
func TestImportedSecBoKItemsArePrinted(t *testing.T) {
	f := competency.Bundled().WithSecBoK(competency.NewSecBoK("2025", []competency.SecBoKItem{
		{ID: "K-3-2", Name: "クラウドの認証情報の保護", Major: "運用"}, {ID: "K-9-9", Name: "使われない項目"}}))
	for lang, heading := range map[string]string{"en": "JNSA SecBoK knowledge items", "ja": "JNSA SecBoK の知識項目"} {
		var buf bytes.Buffer
		if err := pdf.Write(&buf, transcriptOn(f, 1), pdf.For(lang)); err != nil {
			t.Fatal(err)
		}
		got := text(t, buf.Bytes())
		for _, want := range []string{heading, "K-3-2 クラウドの認証情報の保護", "Japan Network Security Association"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: the PDF's text lacks %q:\n%s", lang, want, got)
			}
		}
		if strings.Contains(got, "K-9-9") {
			t.Errorf("%s: an item nobody showed is printed:\n%s", lang, got)
		}
		if i, j := strings.Index(got, "K-3-2"), strings.LastIndex(got, "rec-000"); i < 0 || j < i {
			t.Errorf("%s: the SecBoK item has no evidence line after it:\n%s", lang, got)
		}
	}
}

func TestJapaneseHeadings(t *testing.T) {
	var buf bytes.Buffer
	if err := pdf.Write(&buf, transcript(1), pdf.For("ja-JP")); err != nil {
		t.Fatal(err)
	}
	got := text(t, buf.Bytes())
	for _, want := range []string{"コンピテンシー証明書", "佐藤 花子", "フラグ", "2 / 4 ステートメント"} {
		if !strings.Contains(got, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, got)
		}
	}
}

// A long transcript runs onto more pages rather than off the first.
func TestALongTranscriptBreaksPages(t *testing.T) {
	var buf bytes.Buffer
	if err := pdf.Write(&buf, transcript(120), pdf.English); err != nil {
		t.Fatal(err)
	}
	got := text(t, buf.Bytes())
	if pages := strings.Count(got, "\f"); pages < 3 {
		t.Errorf("%d pages for 240 evidence lines", pages)
	}
	if !strings.Contains(got, "rec-119") {
		t.Error("the last evidence line is missing")
	}
}

func TestAnEmptyTranscriptPrints(t *testing.T) {
	var buf bytes.Buffer
	if err := pdf.Write(&buf, transcript(0), pdf.English); err != nil {
		t.Fatal(err)
	}
	if got := text(t, buf.Bytes()); !strings.Contains(got, "No evidence yet.") {
		t.Errorf("text:\n%s", got)
	}
}

// BenchmarkWrite prints a transcript of 26 solves: a cohort archive
// prints one per trainee, and the font is read for each.
func BenchmarkWrite(b *testing.B) {
	t := transcript(26)
	for b.Loop() {
		if err := pdf.Write(io.Discard, t, pdf.English); err != nil {
			b.Fatal(err)
		}
	}
}
