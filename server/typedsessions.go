package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/labs"
)

// typedSessionsAPI serves what a trainee did in their terminals, for a
// timeline: each session opened and the commands typed in it.
type typedSessionsAPI struct {
	labs  *labs.Service
	audit audit.Recorder // staff reading what someone typed
}

type typedSessionList struct {
	Sessions []labs.TypedSession `json:"sessions"`
}

// list is GET /api/v1/scoring/trainees/:trainee/terminal, for staff who
// supervise the trainee; anyone else is told there is no such trainee.
func (h typedSessionsAPI) list(c *fiber.Ctx) error {
	trainee := strings.Clone(c.Params("trainee"))
	if ok, err := supervises(c, trainee); err != nil {
		return err
	} else if !ok {
		return errTraineeNotFound
	}
	list, err := h.labs.TypedSessions(c.UserContext(), trainee)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.TraineeRecordView, TargetKind: "user", TargetID: trainee,
		Detail: map[string]string{"read": "terminal"}}); err != nil {
		return err
	}
	if list == nil {
		list = []labs.TypedSession{}
	}
	return c.JSON(typedSessionList{Sessions: list})
}
