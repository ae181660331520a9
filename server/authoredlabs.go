package server

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/authoring"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/server/auth"
)

// Authored scenarios in the trainee's catalogue. A version written on the
// range is a lab scenario like a built-in one once the authoring service
// lets the person at it: its authors, to preview a draft; the people of
// its organisation, and of the range once it is shared, while it is
// published. To anyone else it does not exist.

// scenarioParam is the scenario id in the address. An authored version's
// id holds "@", which browsers may send escaped (%40).
func scenarioParam(c *fiber.Ctx) string {
	id := c.Params("id")
	if plain, err := url.PathUnescape(id); err == nil {
		return plain
	}
	return id
}

// mayUse refuses a person an authored version they may not see or
// launch, as the catalogue refuses an unknown id. Built-in scenarios are
// everyone's.
func (h labsAPI) mayUse(c *fiber.Ctx, scenarioID string) error {
	if _, _, authored := labs.SplitAuthoredID(scenarioID); !authored {
		return nil
	}
	p, err := h.person(c)
	if err != nil {
		return err
	}
	err = h.authoring.MayLaunch(c.UserContext(), p, scenarioID)
	if errors.Is(err, authoring.ErrNotFound) {
		return labs.ErrScenarioNotFound
	}
	return err
}

func (h labsAPI) person(c *fiber.Ctx) (authoring.Person, error) {
	if h.authoring == nil || h.cohorts == nil {
		return authoring.Person{}, labs.ErrScenarioNotFound
	}
	principal := auth.PrincipalOf(c)
	orgs, err := h.cohorts.Belonging(c.UserContext(), principal.UserID)
	if err != nil {
		return authoring.Person{}, err
	}
	manages, err := h.cohorts.Managing(c.UserContext(), principal.UserID)
	return authoring.Person{UserID: principal.UserID, Organisations: orgs, Manages: manages,
		RangeAdmin: principal.Role == accounts.RoleAdmin}, err
}

// authored lists the published versions the person may launch.
func (h labsAPI) authored(c *fiber.Ctx) ([]*labs.Scenario, error) {
	if h.authoring == nil || h.cohorts == nil {
		return nil, nil
	}
	p, err := h.person(c)
	if err != nil {
		return nil, err
	}
	ids, err := h.authoring.Launchable(c.UserContext(), p)
	if err != nil {
		return nil, err
	}
	out := make([]*labs.Scenario, 0, len(ids))
	for _, id := range ids {
		s, err := h.labs.Catalogue().Scenario(id)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
