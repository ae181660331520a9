package badges

import (
	"fmt"
	"math"
	"net/url"
	"strings"

	"github.com/sakimori/sakimori/competency"
)

// DefaultRoleThreshold is the share of a work role's statements, in
// percent, a trainee must show for its badge when no organisation of
// theirs has set one.
const DefaultRoleThreshold = 60

// ScenarioCompleted is what the range knows of a scenario a trainee has
// completed: every objective solved.
type ScenarioCompleted struct {
	ID         string
	Title      string
	Techniques []string // ATT&CK ids the scenario trains
	Roles      []string // NICE work role ids
}

// ScenarioAchievement is the achievement of completing a scenario, aligned
// to the ATT&CK techniques and NICE work roles it trains.
func ScenarioAchievement(s ScenarioCompleted, f *competency.Frameworks) Achievement {
	a := Achievement{
		Kind: KindScenario, Ref: s.ID,
		Name:        "Completed: " + s.Title,
		Description: fmt.Sprintf("Solved every objective of the scenario %q in a Sakimori cyber range.", s.Title),
		Criteria:    "Every attack and defence objective of the scenario solved in the range, each checked by the range.",
	}
	for _, id := range s.Techniques {
		if t, ok := f.Technique(id); ok {
			a.Alignments = append(a.Alignments, attackAlignment(t))
		}
	}
	for _, id := range s.Roles {
		if r, ok := f.Role(id); ok {
			a.Alignments = append(a.Alignments, niceAlignment(r))
		}
	}
	return a
}

// RoleAchievement is the achievement of a NICE work role attained at the
// threshold (percent) in force when it was earned.
func RoleAchievement(r competency.Attainment, threshold int) Achievement {
	return Achievement{
		Kind: KindWorkRole, Ref: r.ID,
		Name:        "Work role: " + r.Name,
		Description: fmt.Sprintf("Showed the NICE work role %s (%s) in a Sakimori cyber range.", r.Name, r.Category),
		Criteria: fmt.Sprintf("Evidence, from objectives solved in the range, for at least %d%% of the work role's task, knowledge and skill statements.",
			threshold),
		Alignments: []Alignment{niceAlignment(competency.WorkRole{ID: r.ID, Name: r.Name})},
	}
}

// Attained tells whether an attainment passes a threshold in percent.
func Attained(r competency.Attainment, threshold int) bool {
	// Rounded to whole percent first, as the transcript shows it.
	return r.Total > 0 && int(math.Round(r.Share*100)) >= threshold
}

func attackAlignment(t competency.Technique) Alignment {
	return Alignment{Framework: FrameworkAttack, Code: t.ID, Name: t.Name,
		URL: "https://attack.mitre.org/techniques/" + strings.ReplaceAll(t.ID, ".", "/") + "/"}
}

func niceAlignment(r competency.WorkRole) Alignment {
	return Alignment{Framework: FrameworkNICE, Code: r.ID, Name: r.Name,
		URL: "https://csrc.nist.gov/projects/cprt/catalog#/cprt/framework/version/NICE_2_0_0/home?element=" + url.QueryEscape(r.ID)}
}
