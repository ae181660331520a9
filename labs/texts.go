package labs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// TextLanguages are the languages, besides the manifest's own English,
// every scenario is written in. Each has an overlay beside the manifest,
// text.<lang>.yaml, keyed by the ids the manifest uses, so the words can be
// translated without touching the lab's definition.
var TextLanguages = []string{"ja"}

// ScenarioText is a scenario's person-facing words in one language.
type ScenarioText struct {
	Title      string                   `yaml:"title"`
	Summary    string                   `yaml:"summary"`
	Story      string                   `yaml:"story"`
	Objectives map[string]ObjectiveText `yaml:"objectives"`  // by objective id
	Hints      map[string]string        `yaml:"hints"`       // by hint id
	WebTargets map[string]string        `yaml:"web_targets"` // labels, by "host:port"
}

// ObjectiveText is an objective's words in one language.
type ObjectiveText struct {
	Title       string `yaml:"title"`
	Walkthrough string `yaml:"walkthrough"`
	// Choices labels a multiple-choice objective's choices, by the choice
	// as the manifest writes it. The choice stays the answer submitted and
	// recorded; only the words shown change. Every choice needs its label,
	// even one the same in both languages (IMDSv1), so a translator decides
	// each rather than an English word slipping through.
	Choices map[string]string `yaml:"choices"`
}

func textFile(lang string) string { return "text." + lang + ".yaml" }

// loadTexts reads a scenario folder's overlays and checks each against the
// manifest: every text the manifest has is translated, and every key the
// overlay uses still names something in the manifest.
func loadTexts(fsys fs.FS, dir string, s *Scenario) error {
	var problems []Problem
	for _, lang := range TextLanguages {
		file := textFile(lang)
		data, err := fs.ReadFile(fsys, path.Join(dir, file))
		if errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, Problem{Path: file, File: file, Message: "is missing: the range requires every scenario's text in " + lang})
			continue
		} else if err != nil {
			return err
		}
		var t ScenarioText
		var root yaml.Node
		_ = yaml.Unmarshal(data, &root) // to place problems; the decoder below says what is wrong
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&t); err != nil && !errors.Is(err, io.EOF) {
			for _, p := range decodeProblems(err, &root) {
				p.Path, p.File = file, file
				problems = append(problems, p)
			}
			continue
		}
		// Each gap is placed at its key in the overlay, or the nearest
		// key above it that the overlay has.
		for _, p := range checkText(file, s, &t) {
			n := locate(&root, strings.TrimPrefix(p.Path, file+": "))
			p.File, p.Line, p.Column = file, n.Line, n.Column
			problems = append(problems, p)
		}
		if s.texts == nil {
			s.texts = map[string]*ScenarioText{}
		}
		s.texts[lang] = &t
	}
	if len(problems) > 0 {
		return &ManifestError{Source: path.Join(dir, "scenario.yaml"), Problems: problems}
	}
	return nil
}

// checkText lists what an overlay lacks, and what it has that the manifest
// no longer does.
func checkText(file string, s *Scenario, t *ScenarioText) []Problem {
	var out []Problem
	untranslated := func(key, english, text string) {
		if english != "" && text == "" {
			out = append(out, Problem{Path: file + ": " + key, Message: fmt.Sprintf("has no translation of %q", clip(english))})
		}
	}
	gone := func(key, what string) {
		out = append(out, Problem{Path: file + ": " + key, Message: "translates " + what + " the manifest no longer has"})
	}
	untranslated("title", s.Title, t.Title)
	untranslated("summary", s.Summary, t.Summary)
	untranslated("story", s.Story, t.Story)
	objectives := map[string]bool{} // by id: whether it has a walkthrough
	for _, o := range s.Objectives {
		objectives[o.ID] = o.Walkthrough != ""
		ot := t.Objectives[o.ID]
		untranslated("objectives."+o.ID+".title", o.Title, ot.Title)
		untranslated("objectives."+o.ID+".walkthrough", o.Walkthrough, ot.Walkthrough)
		for _, choice := range o.Choices {
			untranslated("objectives."+o.ID+".choices."+choice, choice, ot.Choices[choice])
		}
		for _, choice := range sortedKeys(ot.Choices) {
			if !slices.Contains(o.Choices, choice) {
				gone("objectives."+o.ID+".choices."+choice, "a choice")
			}
		}
	}
	hints := map[string]bool{}
	for _, h := range s.Hints {
		hints[h.ID] = true
		untranslated("hints."+h.ID, h.Text, t.Hints[h.ID])
	}
	targets := map[string]bool{}
	for _, w := range s.WebTargets() {
		key := w.Host + ":" + strconv.Itoa(w.Port)
		targets[key] = true
		untranslated("web_targets."+key, w.Label, t.WebTargets[key])
	}
	for _, id := range sortedKeys(t.Objectives) {
		if walkthrough, ok := objectives[id]; !ok {
			gone("objectives."+id, "an objective")
		} else if !walkthrough && t.Objectives[id].Walkthrough != "" {
			gone("objectives."+id+".walkthrough", "a walkthrough")
		}
	}
	for _, id := range sortedKeys(t.Hints) {
		if !hints[id] {
			gone("hints."+id, "a hint")
		}
	}
	for _, key := range sortedKeys(t.WebTargets) {
		if !targets[key] {
			gone("web_targets."+key, "a web target")
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// In is the scenario with its person-facing words in lang: a copy, its
// objectives, hints and web-target labels copied too, so the catalogue's
// own stays English. A language the scenario is not written in, English
// among them, gives the scenario itself.
func (s *Scenario) In(lang string) *Scenario {
	t, ok := s.texts[lang]
	if !ok {
		return s
	}
	c := *s
	c.Title, c.Summary, c.Story = or(t.Title, s.Title), or(t.Summary, s.Summary), or(t.Story, s.Story)
	c.Objectives = slices.Clone(s.Objectives)
	for i, o := range c.Objectives {
		ot := t.Objectives[o.ID]
		c.Objectives[i].Title = or(ot.Title, o.Title)
		c.Objectives[i].Walkthrough = or(ot.Walkthrough, o.Walkthrough)
	}
	c.Hints = slices.Clone(s.Hints)
	for i, h := range c.Hints {
		c.Hints[i].Text = or(t.Hints[h.ID], h.Text)
	}
	c.Hosts = slices.Clone(s.Hosts)
	for i, h := range c.Hosts {
		c.Hosts[i].Ports = slices.Clone(h.Ports)
		for j, p := range h.Ports {
			c.Hosts[i].Ports[j].Label = or(t.WebTargets[h.Name+":"+strconv.Itoa(p.Port)], p.Label)
		}
	}
	return &c
}

// ChoiceLabel is how a multiple-choice objective's choice reads in lang:
// the overlay's label, else the choice as the manifest writes it.
func (s *Scenario) ChoiceLabel(lang, objective, choice string) string {
	if t, ok := s.texts[lang]; ok {
		if label := t.Objectives[objective].Choices[choice]; label != "" {
			return label
		}
	}
	return choice
}

func or(text, english string) string {
	if text == "" {
		return english
	}
	return text
}
