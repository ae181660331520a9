package server

import (
	"context"
	"io/fs"
	"path"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/labs/bundle"
)

type templateView struct {
	Name  string     `json:"name"`
	Files []fileView `json:"files"`
}

// scenarioTemplates is GET /api/v1/scenario-templates: the scenario
// folders an author starts from in the editor, each with its files, as
// `sakimori scenario new` writes them, and the lab images authored
// scenarios may name.
func scenarioTemplates(templates fs.FS, images func(context.Context) ([]string, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		out := []templateView{}
		names := []string{}
		if images != nil {
			listed, err := images(c.UserContext())
			if err != nil {
				return err
			}
			if listed != nil {
				names = listed
			}
		}
		if templates == nil {
			return c.JSON(fiber.Map{"templates": out, "images": names})
		}
		dirs, err := fs.ReadDir(templates, ".")
		if err != nil {
			return err
		}
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			t := templateView{Name: d.Name(), Files: []fileView{}}
			err := fs.WalkDir(templates, d.Name(), func(p string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() {
					return err
				}
				rel := p[len(d.Name())+1:]
				if !bundle.InLayout(rel) {
					return nil
				}
				data, err := fs.ReadFile(templates, p)
				if err != nil {
					return err
				}
				f := fileView{Path: path.Clean(rel), Size: len(data), Binary: !utf8.Valid(data)}
				if !f.Binary {
					f.Text = string(data)
				}
				t.Files = append(t.Files, f)
				return nil
			})
			if err != nil {
				return err
			}
			sortFiles(t.Files)
			out = append(out, t)
		}
		return c.JSON(fiber.Map{"templates": out, "images": names})
	}
}

// labImages lists the images authored scenarios may name, if the range
// keeps authored scenarios.
func labImages(a *authoring.Service) func(context.Context) ([]string, error) {
	if a == nil {
		return nil
	}
	return a.Images
}
