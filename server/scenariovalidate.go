package server

import (
	"errors"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/labs/bundle"
)

// scenarioValidate is POST /api/v1/scenario-validate: a scenario.yaml, or
// a whole scenario folder, checked exactly as the range loads one,
// answering every problem with its field path, line and column (and, for
// a folder, its file), for an author's editor to show where they are.
// Nothing is kept. Validity is the answer, not a refusal, so a scenario
// with problems is a 200. A folder comes as JSON, as a draft does, so the
// route reads its own body (up to most bytes for a folder).
func scenarioValidate(most int64) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var s *labs.Scenario
		var err error
		switch mediaType(c) {
		case "application/yaml", "application/x-yaml", "text/yaml", "text/plain":
			data, rerr := io.ReadAll(io.LimitReader(uploadStream(c), labs.MaxManifestBytes+1))
			if rerr != nil {
				return errBodyUnreadable(rerr)
			}
			if len(data) > labs.MaxManifestBytes {
				return fiber.ErrRequestEntityTooLarge
			}
			s, err = labs.ParseScenario(data, "scenario.yaml")
		case fiber.MIMEApplicationJSON:
			files, ferr := readFolder(c, most)
			if ferr != nil {
				return ferr
			}
			s, err = labs.LoadScenario((&bundle.Bundle{Files: files}).FS(), ".")
		default:
			return errManifestContentType
		}
		out := validationView{Valid: true, Problems: []labs.Problem{}}
		var me *labs.ManifestError
		switch {
		case err == nil:
			// The page trainees will see, in the manifest's own language
			// (the other languages' text lives in files of its own).
			preview := viewOfScenario(s, true)
			out.Preview = &preview
		case errors.As(err, &me):
			out.Valid, out.Problems = false, me.Problems
		default:
			out.Valid, out.Problems = false, []labs.Problem{{Message: err.Error()}}
		}
		return c.JSON(out)
	}
}

type validationView struct {
	Valid    bool           `json:"valid"`
	Problems []labs.Problem `json:"problems"`
	Preview  *scenarioView  `json:"preview,omitempty"` // when valid: the scenario as trainees see it
}

var errManifestContentType = fault.New(fault.Invalid, "manifest_content_type_invalid",
	"Send the manifest itself as the request body, as application/yaml, or the scenario folder's files as JSON ({\"files\": {…}}).")
