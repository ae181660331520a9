package server

import (
	"regexp"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/server/auth"
)

// recordingsAPI lists a lab's terminal recordings and serves their casts,
// to the lab's trainee and to staff.
type recordingsAPI struct {
	labs  *labs.Service
	audit audit.Recorder // staff watching someone's replay
}

type recordingList struct {
	Recordings []labs.Recording `json:"recordings"`
}

func (h recordingsAPI) list(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	list, err := h.labs.Recordings(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []labs.Recording{}
	}
	return c.JSON(recordingList{Recordings: list})
}

// cast is GET /api/v1/recordings/:id: the asciicast v2 file.
func (h recordingsAPI) cast(c *fiber.Ctx) error {
	id := c.Params("id")
	if !recordingID.MatchString(id) {
		return labs.ErrRecordingNotFound
	}
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	rec, f, err := h.labs.OpenRecording(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	if rec.TraineeID != auth.PrincipalOf(c).UserID {
		err := recordAction(c, h.audit, audit.Entry{Action: audit.ReplayWatch, TargetKind: "recording", TargetID: rec.ID,
			Detail: map[string]string{"lab": rec.InstanceID, "trainee": rec.TraineeID}})
		if err != nil {
			f.Close()
			return err
		}
	}
	c.Set(fiber.HeaderContentType, "application/x-asciicast")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendStream(f) // Fiber closes it when sent
}

var recordingID = regexp.MustCompile(`^r[a-z2-7]{12}$`)
