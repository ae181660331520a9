package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/labs"
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
	w := &scenarioWords{objectives: map[string]scoring.Objective{}, hints: map[string]string{}}
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

func (w *scenarioWords) objectivesOf(id string) (scoring.Objective, bool) {
	if w == nil {
		return scoring.Objective{}, false
	}
	o, ok := w.objectives[id]
	return o, ok
}
