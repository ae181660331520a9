package labs

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const englishNotes = "# Sample — instructor notes\n\n## Story\n\nA box.\n\n```sh\n# a shell comment, not a heading\n```\n\n## Walkthrough\n\n1. Look.\n"
const japaneseNotes = "# サンプル — 講師用ノート\n\n## ストーリー\n\n箱が一つ。\n\n```sh\n# a shell comment, not a heading\n```\n\n## 解答手順\n\n1. 見る。\n"

func notesFolder(notes map[string]string) fstest.MapFS {
	fsys := sampleFolder(validJapanese)
	for file, text := range notes {
		fsys["sample/"+file] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// Instructor notes come in every required language with the same outline,
// and are read in the reader's language, else in English.
func TestInstructorNotesInEveryLanguage(t *testing.T) {
	s, err := LoadScenario(notesFolder(map[string]string{"README.md": englishNotes, "README.ja.md": japaneseNotes}), "sample")
	if err != nil {
		t.Fatalf("notes in both languages: %v", err)
	}
	if text, lang, ok := s.Notes("ja"); !ok || lang != "ja" || !strings.Contains(text, "講師用ノート") {
		t.Fatalf("Japanese notes: %q %q %v", lang, text, ok)
	}
	if text, lang, ok := s.Notes("fr"); !ok || lang != "en" || !strings.Contains(text, "instructor notes") {
		t.Fatalf("notes in a language the scenario lacks: %q %q %v", lang, text, ok)
	}
	bare, err := LoadScenario(notesFolder(nil), "sample")
	if err != nil {
		t.Fatalf("a scenario without notes: %v", err)
	}
	if _, _, ok := bare.Notes("ja"); ok {
		t.Fatal("a scenario without notes has some")
	}

	cases := []struct {
		name    string
		notes   map[string]string
		path    string
		message string
	}{
		{"no Japanese notes", map[string]string{"README.md": englishNotes}, "README.ja.md", "is missing"},
		{"a section missing", map[string]string{"README.md": englishNotes, "README.ja.md": strings.Replace(japaneseNotes, "## 解答手順", "解答手順", 1)}, "README.ja.md", "keep the sections in step"},
		{"a level changed", map[string]string{"README.md": englishNotes, "README.ja.md": strings.Replace(japaneseNotes, "## ストーリー", "### ストーリー", 1)}, "README.ja.md", "[1 3 2]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadScenario(notesFolder(tc.notes), "sample")
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("want a manifest error, got %v", err)
			}
			for _, p := range me.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Fatalf("want %s: …%s…, got %v", tc.path, tc.message, me.Problems)
		})
	}
}

// Both the words and the notes are reported at once.
func TestMissingWordsAndNotesReportedTogether(t *testing.T) {
	fsys := folderOf(valid, "title: サンプル\n")
	fsys["sample/README.md"] = &fstest.MapFile{Data: []byte(englishNotes)}
	_, err := LoadScenario(fsys, "sample")
	var me *ManifestError
	if !errors.As(err, &me) || len(me.Problems) != 2 {
		t.Fatalf("want the hint and the notes reported, got %v", err)
	}
}
