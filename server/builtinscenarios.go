package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/authoring"
)

// The range's built-in scenarios as read-only versions, for authors: each
// listed with its number and digest, its files to start an editor copy
// from, and its bundle to download. Nothing here changes them.

type builtInView struct {
	ScenarioID string `json:"scenario_id"`
	Title      string `json:"title"`
	Number     int    `json:"number"`
	Digest     string `json:"digest"`
	Size       int64  `json:"size"`
	ReadOnly   bool   `json:"read_only"`
}

func builtInRoutes(api fiber.Router, d Deps) {
	h := builtInAPI{authoring: d.Authoring}
	staff := d.Tokens.Require(accounts.RoleInstructor) // and admins
	api.Get("/builtin-scenarios", staff, h.list)
	api.Get("/builtin-scenarios/:id/files", staff, h.files)
	api.Get("/builtin-scenarios/:id/bundle", staff, h.bundle)
}

type builtInAPI struct{ authoring *authoring.Service }

func (h builtInAPI) list(c *fiber.Ctx) error {
	list, err := h.authoring.BuiltIns()
	if err != nil {
		return err
	}
	out := make([]builtInView, len(list))
	for i, b := range list {
		out[i] = builtInView{ScenarioID: b.ScenarioID, Title: b.Title, Number: b.Number, Digest: b.Digest, Size: b.Size, ReadOnly: true}
	}
	return c.JSON(fiber.Map{"scenarios": out})
}

func (h builtInAPI) files(c *fiber.Ctx) error {
	files, err := h.authoring.BuiltInFiles(c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"files": fileViews(files)})
}

func (h builtInAPI) bundle(c *fiber.Ctx) error {
	b, data, err := h.authoring.BuiltInBundle(c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/gzip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+b.ScenarioID+`-v`+strconv.Itoa(b.Number)+`.tar.gz"`)
	c.Set(fiber.HeaderETag, `"`+b.Digest+`"`)
	return c.Send(data)
}
