package labs

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// A scenario's instructor notes are Markdown beside its manifest:
// README.md in English and README.<lang>.md in each language the range
// requires (TextLanguages). They are staff reading, never shown to
// trainees: the story behind the lab, what it teaches, the walkthrough.

func notesFile(lang string) string {
	if lang == "en" {
		return "README.md"
	}
	return "README." + lang + ".md"
}

// loadNotes reads a folder's notes. A scenario need not have notes, but
// once it has English ones, each required language must have its own,
// with the same outline (the same headings at the same levels, in order),
// so a section added in one language and forgotten in another is caught.
func loadNotes(fsys fs.FS, dir string, s *Scenario) ([]Problem, error) {
	english, err := fs.ReadFile(fsys, path.Join(dir, notesFile("en")))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	s.notes = map[string]string{"en": string(english)}
	want := outline(string(english))
	var problems []Problem
	for _, lang := range TextLanguages {
		file := notesFile(lang)
		data, err := fs.ReadFile(fsys, path.Join(dir, file))
		if errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, Problem{Path: file, File: file, Message: "is missing: the range requires the instructor notes in " + lang + " too"})
			continue
		} else if err != nil {
			return nil, err
		}
		if got := outline(string(data)); !slices.Equal(got, want) {
			problems = append(problems, Problem{Path: file, File: file, Message: fmt.Sprintf("has headings at levels %v where README.md has %v: keep the sections in step", got, want)})
			continue
		}
		s.notes[lang] = string(data)
	}
	return problems, nil
}

// outline is a Markdown text's heading levels in order, skipping fenced
// code, whose lines may start with # as shell comments do.
func outline(markdown string) []int {
	var levels []int
	fenced := false
	for _, line := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level > 0 && level <= 6 && strings.HasPrefix(line[level:], " ") {
			levels = append(levels, level)
		}
	}
	return levels
}

// Notes are the scenario's instructor notes in lang, else in English, and
// the language they are in; ok is false when the scenario has none.
func (s *Scenario) Notes(lang string) (text, in string, ok bool) {
	if t, has := s.notes[lang]; has {
		return t, lang, true
	}
	t, has := s.notes["en"]
	return t, "en", has
}
