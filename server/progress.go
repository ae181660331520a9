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
	return c.JSON(progress.Summarise(countedForProgress(h.labs, readerLanguage(c, nil), records), records))
}

// countedForProgress is the scenarios records may name, built in or the
// authored versions they name (labs.Service.Counted), as progress counts
// them, their titles in lang; none without labs.
func countedForProgress(l *labs.Service, lang string, records []progress.Record) []progress.Scenario {
	if l == nil {
		return nil
	}
	named := make([]string, len(records))
	for i, r := range records {
		named[i] = r.Scenario
	}
	return catalogueForProgress(l.Counted(named), lang)
}

// catalogueForProgress is scenarios as progress counts them, their titles
// in lang.
func catalogueForProgress(scenarios []*labs.Scenario, lang string) []progress.Scenario {
	var out []progress.Scenario
	for _, s := range scenarios {
		p := progress.Scenario{ID: s.ID, Title: s.In(lang).Title, Techniques: s.Attack, Roles: s.NICERoles}
		for _, o := range s.Objectives {
			p.Objectives = append(p.Objectives, progress.Objective{ID: o.ID, Track: string(o.Track)})
		}
		out = append(out, p)
	}
	return out
}
