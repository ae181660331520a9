package labs

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sakimori/sakimori/scenarios"
)

// validJapanese is valid's text in Japanese: every text valid has.
const validJapanese = `
title: サンプル
hints: {h1: 周りを調べてください}
`

// withChoice is valid with a multiple-choice question added.
var withChoice = strings.Replace(valid, "objectives: [", `objectives: [{id: which, track: defence, kind: question, points: 10, title: "Which one?", choices: ["Yes", "No"], answers: ["Yes"]}, `, 1)

func sampleFolder(japanese string) fstest.MapFS {
	return folderOf(valid, japanese)
}

func folderOf(manifest, japanese string) fstest.MapFS {
	fsys := fstest.MapFS{"sample/scenario.yaml": {Data: []byte(manifest)}}
	if japanese != "" {
		fsys["sample/text.ja.yaml"] = &fstest.MapFile{Data: []byte(japanese)}
	}
	return fsys
}

// The Japanese overlay must say everything the manifest says, and nothing
// it no longer does: each gap is reported with its key and a reason.
func TestJapaneseTextMatchesTheManifest(t *testing.T) {
	if _, err := LoadScenario(sampleFolder(validJapanese), "sample"); err != nil {
		t.Fatalf("a complete overlay: %v", err)
	}
	choiceJapanese := validJapanese + "objectives: {which: {title: 'どちら？', choices: {'Yes': はい, 'No': いいえ}}}\n"
	chooser, err := LoadScenario(folderOf(withChoice, choiceJapanese), "sample")
	if err != nil {
		t.Fatalf("a complete overlay with choices: %v", err)
	}
	// A choice is still the answer: only its label changes with the language.
	if ja, en := chooser.ChoiceLabel("ja", "which", "Yes"), chooser.ChoiceLabel("en", "which", "Yes"); ja != "はい" || en != "Yes" {
		t.Fatalf("choice labels: %q in Japanese, %q in English", ja, en)
	}
	cases := []struct{ name, manifest, japanese, path, message string }{
		{"a choice unlabelled", withChoice, validJapanese + "objectives: {which: {title: 'どちら？', choices: {'Yes': はい}}}\n", "text.ja.yaml: objectives.which.choices.No", `no translation of "No"`},
		{"no choice labels", withChoice, validJapanese + "objectives: {which: {title: 'どちら？'}}\n", "text.ja.yaml: objectives.which.choices.Yes", `no translation of "Yes"`},
		{"a choice gone", withChoice, validJapanese + "objectives: {which: {title: 'どちら？', choices: {'Yes': はい, 'No': いいえ, Maybe: たぶん}}}\n", "text.ja.yaml: objectives.which.choices.Maybe", "translates a choice the manifest no longer has"},
		{"no overlay", valid, "", "text.ja.yaml", "is missing"},
		{"no title", valid, "hints: {h1: 周りを調べてください}\n", "text.ja.yaml: title", `no translation of "Sample"`},
		{"no hint", valid, "title: サンプル\n", "text.ja.yaml: hints.h1", `no translation of "look around"`},
		{"a hint gone", valid, "title: サンプル\nhints: {h1: 周りを調べてください, h2: 古いヒント}\n", "text.ja.yaml: hints.h2", "translates a hint the manifest no longer has"},
		{"an objective gone", valid, validJapanese + "objectives: {old: {title: 古い目標}}\n", "text.ja.yaml: objectives.old", "translates an objective"},
		{"a walkthrough the objective lacks", valid, validJapanese + "objectives: {get-flag: {walkthrough: 手順}}\n", "text.ja.yaml: objectives.get-flag.walkthrough", "a walkthrough"},
		{"a web target gone", valid, validJapanese + "web_targets: {'box:80': 画面}\n", "text.ja.yaml: web_targets.box:80", "a web target"},
		{"an unknown key", valid, validJapanese + "titel: x\n", "text.ja.yaml", "titel"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadScenario(folderOf(tc.manifest, tc.japanese), "sample")
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

// A scenario read in Japanese has its words replaced, and the catalogue's
// own copy stays English; a language with no overlay reads English.
func TestScenarioInJapanese(t *testing.T) {
	c, err := LoadCatalogue(scenarios.Files())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.Scenario("metadata-heist")
	ja := s.In("ja")
	if ja.Title != "メタデータ強奪" || ja.Objectives[0].Title == s.Objectives[0].Title || ja.Hints[0].Text == s.Hints[0].Text {
		t.Fatalf("not in Japanese: %q, %q, %q", ja.Title, ja.Objectives[0].Title, ja.Hints[0].Text)
	}
	if w := ja.WebTargets(); len(w) != 1 || w[0].Label != "Acme リンクプレビュー" {
		t.Fatalf("web targets: %+v", w)
	}
	if s.Title != "Metadata Heist" || s.Objectives[0].Title != "Which IAM role does the web app's instance run as?" || s.WebTargets()[0].Label != "Acme Link Preview" {
		t.Fatalf("the English changed: %q, %q", s.Title, s.Objectives[0].Title)
	}
	if s.In("en") != s || s.In("fr") != s {
		t.Fatal("English and unknown languages read the scenario itself")
	}
	// Answers, points and commands are the lab's, not words: they stay.
	if ja.Objectives[0].Answers[0] != s.Objectives[0].Answers[0] || ja.Objectives[0].Points != s.Objectives[0].Points {
		t.Fatal("a translation changed how the objective is scored")
	}
}

// A problem of an overlay is in that file, at the line of its key (or of
// the nearest key above it that the overlay has), so an editor shows it
// where it is.
func TestTextProblemsArePlacedInTheirFile(t *testing.T) {
	for _, c := range []struct {
		name, japanese, path string
		line                 int
	}{
		{"a hint gone", "title: サンプル\nhints:\n  h1: 周りを調べてください\n  h2: 古いヒント\n", "text.ja.yaml: hints.h2", 4},
		{"an unknown key", validJapanese + "titel: x\n", "text.ja.yaml", strings.Count(validJapanese, "\n") + 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadScenario(folderOf(valid, c.japanese), "sample")
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("loaded: %v", err)
			}
			for _, p := range me.Problems {
				if p.Path == c.path {
					if p.File != "text.ja.yaml" || p.Line != c.line || p.Column < 1 {
						t.Fatalf("%+v; want text.ja.yaml line %d", p, c.line)
					}
					return
				}
			}
			t.Fatalf("no problem at %s: %v", c.path, me)
		})
	}
}
