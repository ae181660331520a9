package labs

import (
	"fmt"

	"github.com/sakimori/sakimori/competency"
)

// validateCompetencies checks every ATT&CK technique, NICE work role and
// statement the scenario and its objectives name against the frameworks
// the range has loaded: a transcript can only cite what they hold.
// Malformed technique ids are validateIdentity's to report.
func validateCompetencies(s *Scenario, p *problems) {
	for _, pr := range competency.Bundled().Check(CompetencyMapping(s)) {
		if malformedAttack(s, pr.Path) {
			continue
		}
		p.add(pr.Path, "%s", pr.Message)
	}
}

// CompetencyMapping is what the scenario's manifest maps to the
// competency frameworks.
func CompetencyMapping(s *Scenario) competency.Scenario {
	m := competency.Scenario{ID: s.ID, Title: s.Title, Techniques: s.Attack, Roles: s.NICERoles}
	for _, o := range s.Objectives {
		m.Objectives = append(m.Objectives, competency.Objective{ID: o.ID, Title: o.Title, Verified: string(o.Kind),
			Techniques: o.Attack, Statements: o.NICE, SecBoK: o.SecBoK})
	}
	return m
}

// malformedAttack says whether the problem is about a scenario-level
// technique id that is not even shaped like one.
func malformedAttack(s *Scenario, path string) bool {
	var i int
	if _, err := fmt.Sscanf(path, "attack[%d]", &i); err != nil || i >= len(s.Attack) {
		return false
	}
	return !techniqueID.MatchString(s.Attack[i])
}
