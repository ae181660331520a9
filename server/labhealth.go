package server

import (
	"github.com/gofiber/fiber/v2"
)

// labHealthView is whether a running lab can still be worked in.
type labHealthView struct {
	Healthy bool   `json:"healthy"`
	Reason  string `json:"reason,omitempty"`
	Host    string `json:"host,omitempty"`
}

// health answers GET /labs/:id/health: the lab's hosts as the engine sees
// them now, so the page can offer a reset when one is out of processes.
func (h labsAPI) health(c *fiber.Ctx) error {
	id, err := labParam(c)
	if err != nil {
		return err
	}
	a, err := actorOf(c)
	if err != nil {
		return err
	}
	got, err := h.labs.Health(c.UserContext(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(labHealthView{Healthy: got.Healthy, Reason: got.Reason, Host: got.Host})
}
