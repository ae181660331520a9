package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/server/auth"
)

// preferencesAPI is a person's own language and time zone.
type preferencesAPI struct {
	accounts *accounts.Service
}

type preferencesInput struct {
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
}

// put replaces both preferences; an empty one is "not chosen".
func (p preferencesAPI) put(c *fiber.Ctx) error {
	var in preferencesInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := p.accounts.SetPreferences(c.UserContext(), auth.PrincipalOf(c).UserID,
		accounts.Preferences{Language: in.Language, TimeZone: in.TimeZone})
	if err != nil {
		return err
	}
	return c.JSON(viewOf(u))
}
