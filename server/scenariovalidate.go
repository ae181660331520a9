package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/fault"
	"github.com/sakimori/sakimori/labs"
)

// scenarioValidate is POST /api/v1/scenario-validate: a scenario.yaml
// checked exactly as the range loads one, answering every problem with
// its field path, line and column, for an author's editor to show where
// they are. Nothing is kept. Validity is the answer, not a refusal, so a
// manifest with problems is a 200.
func scenarioValidate(c *fiber.Ctx) error {
	switch mediaType(c) {
	case "application/yaml", "application/x-yaml", "text/yaml", "text/plain":
	default:
		return errManifestContentType
	}
	out := validationView{Valid: true, Problems: []labs.Problem{}}
	s, err := labs.ParseScenario(c.Body(), "scenario.yaml")
	var me *labs.ManifestError
	switch {
	case err == nil:
		// The page trainees will see, in the manifest's own language (the
		// other languages' text lives in files of its own).
		preview := viewOfScenario(s, true)
		out.Preview = &preview
	case errors.As(err, &me):
		out.Valid, out.Problems = false, me.Problems
	case err != nil:
		out.Valid, out.Problems = false, []labs.Problem{{Message: err.Error()}}
	}
	return c.JSON(out)
}

type validationView struct {
	Valid    bool           `json:"valid"`
	Problems []labs.Problem `json:"problems"`
	Preview  *scenarioView  `json:"preview,omitempty"` // when valid: the scenario as trainees see it
}

var errManifestContentType = fault.New(fault.Invalid, "manifest_content_type_invalid",
	"Send the manifest itself as the request body, as application/yaml.")
