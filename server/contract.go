package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/server/openapi"
)

// contract is GET /api/v1/openapi.json: the HTTP contract every route and
// reply is held to, for anyone (it holds no secret).
func contract(c *fiber.Ctx) error {
	doc, err := openapi.JSON()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(doc)
}
