package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/progress"
	"github.com/sakimori/sakimori/scoring"
	"github.com/sakimori/sakimori/server/auth"
)

type progressAPI struct {
	labs    *labs.Service
	scoring *scoring.Service
}

// mine is GET /api/v1/me/progress: labs finished, points, competencies.
func (h progressAPI) mine(c *fiber.Ctx) error {
	events, err := h.scoring.Progress(c.UserContext(), auth.PrincipalOf(c).UserID)
	if err != nil {
		return err
	}
	records := make([]progress.Record, len(events))
	for i, e := range events {
		records[i] = progress.Record{Scenario: e.ScenarioID, Objective: e.ObjectiveID, Solved: e.Solves(), Points: e.Points, At: e.At}
	}
	// The app asks in the reader's language (Accept-Language).
	return c.JSON(progress.Summarise(catalogueForProgress(h.labs.Catalogue(), readerLanguage(c, nil)), records))
}

// catalogueForProgress is the catalogue as progress counts it, its titles
// in lang.
func catalogueForProgress(c *labs.Catalogue, lang string) []progress.Scenario {
	var out []progress.Scenario
	for _, s := range c.All() {
		p := progress.Scenario{ID: s.ID, Title: s.In(lang).Title, Techniques: s.Attack, Roles: s.NICERoles}
		for _, o := range s.Objectives {
			p.Objectives = append(p.Objectives, progress.Objective{ID: o.ID, Track: string(o.Track)})
		}
		out = append(out, p)
	}
	return out
}
