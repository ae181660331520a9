package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/live"
	"github.com/sakimori/sakimori/scoring"
)

// A scenario's words reach the reader in their language (readerLanguage):
// the catalogue, the scenario page, and a lab's objectives, hints and
// walkthroughs. The lab's own records (ids, answers, points) never change
// with the language.

// labScenarioWords is the words of the scenario a trainee's lab runs, in
// the reader's language; nil when the lab or its scenario cannot be read,
// and the reply then keeps the scoring service's own (English) words.
func (n traineeNames) labScenarioWords(c *fiber.Ctx, traineeID, labID string) *scenarioWords {
	if n.labs == nil {
		return nil
	}
	lang := readerLanguage(c, n.accounts)
	if lang == "en" {
		return nil
	}
	inst, err := n.labs.Lab(c.UserContext(), labs.Actor{UserID: traineeID}, labID)
	if err != nil {
		return nil
	}
	s, err := n.labs.Catalogue().Scenario(inst.ScenarioID)
	if err != nil {
		return nil
	}
	in := s.In(lang)
	w := &scenarioWords{objectives: map[string]scoring.Objective{}, hints: map[string]string{}, scenario: s, lang: lang}
	for _, o := range in.Objectives {
		w.objectives[o.ID] = o
	}
	for _, h := range in.Hints {
		w.hints[h.ID] = h.Text
	}
	return w
}

// scenarioWords are one scenario's objective and hint words in a language.
type scenarioWords struct {
	objectives map[string]scoring.Objective
	hints      map[string]string
	scenario   *labs.Scenario // for the labels of multiple-choice objectives
	lang       string
}

func (w *scenarioWords) title(id, english string) string {
	if o, ok := w.objectivesOf(id); ok && o.Title != "" {
		return o.Title
	}
	return english
}

func (w *scenarioWords) walkthrough(id, english string) string {
	if o, ok := w.objectivesOf(id); ok && o.Walkthrough != "" && english != "" {
		return o.Walkthrough
	}
	return english
}

func (w *scenarioWords) hint(id, english string) string {
	if w == nil || english == "" { // a hint still locked shows no text
		return english
	}
	if t, ok := w.hints[id]; ok && t != "" {
		return t
	}
	return english
}

// choice is how a multiple-choice objective's choice reads; the choice
// itself is still what the trainee submits.
func (w *scenarioWords) choice(objective, choice string) string {
	if w == nil {
		return choice
	}
	return w.scenario.ChoiceLabel(w.lang, objective, choice)
}

func (w *scenarioWords) objectivesOf(id string) (scoring.Objective, bool) {
	if w == nil {
		return scoring.Objective{}, false
	}
	o, ok := w.objectives[id]
	return o, ok
}

// columnsIn is the live view's columns with the objectives' titles and
// hints in sc's language; the columns as they are when sc is nil. A copy:
// the matrix's own columns stay as the class's feed made them.
func columnsIn(columns []live.Column, sc *labs.Scenario) []live.Column {
	if sc == nil {
		return columns
	}
	hints := map[string]string{}
	for _, h := range sc.Hints {
		hints[h.ID] = h.Text
	}
	out := make([]live.Column, len(columns))
	for i, col := range columns {
		out[i] = col
		out[i].Title = objectiveTitle(sc, col.ID, col.Title)
		out[i].Hints = make([]live.ColumnHint, len(col.Hints))
		for j, h := range col.Hints {
			out[i].Hints[j] = h
			if text, ok := hints[h.ID]; ok && text != "" {
				out[i].Hints[j].Text = text
			}
		}
	}
	return out
}

// objectiveTitle is an objective's title in sc's language, or english when
// sc no longer has the objective.
func objectiveTitle(sc *labs.Scenario, id, english string) string {
	for _, o := range sc.Objectives {
		if o.ID == id && o.Title != "" {
			return o.Title
		}
	}
	return english
}
