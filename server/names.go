package server

import (
	"context"

	"github.com/sakimori/sakimori/accounts"
	"github.com/sakimori/sakimori/labs"
	"github.com/sakimori/sakimori/scoring"
)

// traineeNames puts names on ids in staff views: a trainee's display name
// (never their email) and a scenario's title.
type traineeNames struct {
	accounts *accounts.Service
	labs     *labs.Service // nil: scenarios keep their ids
}

// trainees names trainees for one reply, asking once per person however
// often they appear in it. An unknown trainee has no name.
func (n traineeNames) trainees(ctx context.Context) func(id string) string {
	known := map[string]string{}
	return func(id string) string {
		if n.accounts == nil || id == "" {
			return ""
		}
		if name, ok := known[id]; ok {
			return name
		}
		if u, err := n.accounts.User(ctx, id); err == nil {
			known[id] = u.DisplayName
		} else {
			known[id] = ""
		}
		return known[id]
	}
}

// scenario is a scenario's title in lang; its id when it is gone.
func (n traineeNames) scenario(id, lang string) string {
	if s := n.scenarioIn(id, lang); s != nil {
		return s.Title
	}
	return id
}

// scenarioIn is a scenario with its words in lang; nil when the range runs
// no labs or the scenario is gone.
func (n traineeNames) scenarioIn(id, lang string) *labs.Scenario {
	if n.labs == nil {
		return nil
	}
	s, err := n.labs.Catalogue().Scenario(id)
	if err != nil {
		return nil
	}
	return s.In(lang)
}

// isCheck says whether an objective is a state check the range runs, from
// the catalogue; false when the scenario or objective is gone.
func (n traineeNames) isCheck(scenarioID, objectiveID string) bool {
	if n.labs == nil {
		return false
	}
	s, err := n.labs.Catalogue().Scenario(scenarioID)
	if err != nil {
		return false
	}
	for _, o := range s.Objectives {
		if o.ID == objectiveID {
			return o.Kind == scoring.KindCheck
		}
	}
	return false
}
