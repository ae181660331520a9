package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/labs/manifestschema"
)

// scenarioSchema is GET /api/v1/scenario-schema.json: the JSON Schema of
// scenario.yaml, for anyone (an author's editor fetches it unsigned; it
// holds no secret, only the manifest's shape).
func scenarioSchema(c *fiber.Ctx) error {
	doc, err := manifestschema.JSON()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/schema+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(doc)
}
