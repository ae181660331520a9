package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/fault"
)

var errNoNotes = fault.New(fault.NotFound, "scenario_notes_not_found", "This scenario has no instructor notes.")

// notesView is a scenario's instructor notes, Markdown, in the language
// they are written in: the reader's when the scenario has it.
type notesView struct {
	Scenario string `json:"scenario"`
	Language string `json:"language"`
	Markdown string `json:"markdown"`
}

// notes serves a scenario's instructor notes to staff: how the lab runs,
// what it teaches and its walkthrough, which trainees must not read.
func (h labsAPI) notes(c *fiber.Ctx) error {
	id := scenarioParam(c)
	if err := h.mayUse(c, id); err != nil {
		return err
	}
	s, err := h.labs.Catalogue().Scenario(id)
	if err != nil {
		return err
	}
	text, lang, ok := s.Notes(readerLanguage(c, h.accounts))
	if !ok {
		return errNoNotes
	}
	return c.JSON(notesView{Scenario: s.ID, Language: lang, Markdown: text})
}
