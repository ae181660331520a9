package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/audit"
	"github.com/sakimori/sakimori/server/auth"
)

// erase is POST /api/v1/users/:id/erase: a range admin erases a person;
// their records stay, under a pseudonym.
func (h users) erase(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	u, err := h.accounts.Erase(c.UserContext(), auth.PrincipalOf(c).UserID, id)
	if err != nil {
		return err
	}
	if err := recordAction(c, h.audit, audit.Entry{Action: audit.PersonErase, TargetKind: "user", TargetID: u.ID}); err != nil {
		return err
	}
	return c.JSON(viewOf(u))
}
