package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
)

type giveHintRequest struct {
	Scenario string `json:"scenario"`
	Hint     string `json:"hint"`
}

type hintGivenView struct {
	Hint      string      `json:"hint"`
	Objective string      `json:"objective"`
	Given     int         `json:"given"` // trainees it was unlocked for now; the rest had it already
	Message   messageView `json:"message"`
}

// giveHint is POST /api/v1/cohorts/:id/hints: one hint unlocked for every
// trainee of the cohort, free, and the class told at once.
func (h liveAPI) giveHint(c *fiber.Ctx) error {
	var req giveHintRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	got, err := h.live.GiveHint(c.UserContext(), cohortActor(c), c.Params("id"), req.Scenario, req.Hint)
	if err != nil {
		return err
	}
	err = recordAction(c, h.audit, audit.Entry{Action: audit.CohortHintUnlock, TargetKind: "cohort", TargetID: got.Message.CohortID,
		Detail: map[string]string{"scenario": req.Scenario, "hint": got.Hint.ID}})
	if err != nil {
		return err
	}
	return c.JSON(hintGivenView{Hint: got.Hint.ID, Objective: got.Hint.ObjectiveID, Given: got.Given, Message: messageViewOf(got.Message)})
}
