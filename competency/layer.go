package competency

import (
	"fmt"
	"sort"
)

// Layer is an ATT&CK Navigator layer (layer format 4.5): the techniques a
// trainee or a cohort has shown, scored, so that it opens in MITRE's
// Navigator as a heat map.
type Layer struct {
	Name                          string           `json:"name"`
	Versions                      LayerVersions    `json:"versions"`
	Domain                        string           `json:"domain"`
	Description                   string           `json:"description"`
	Filters                       LayerFilters     `json:"filters"`
	Sorting                       int              `json:"sorting"`
	Layout                        LayerLayout      `json:"layout"`
	HideDisabled                  bool             `json:"hideDisabled"`
	Techniques                    []LayerTechnique `json:"techniques"`
	Gradient                      LayerGradient    `json:"gradient"`
	LegendItems                   []LegendItem     `json:"legendItems"`
	Metadata                      []LayerMetadata  `json:"metadata"`
	ShowTacticRowBackground       bool             `json:"showTacticRowBackground"`
	SelectTechniquesAcrossTactics bool             `json:"selectTechniquesAcrossTactics"`
	SelectSubtechniquesWithParent bool             `json:"selectSubtechniquesWithParent"`
	SelectVisibleTechniques       bool             `json:"selectVisibleTechniques"`
}

// LayerVersions are the ATT&CK, Navigator and layer format versions.
type LayerVersions struct {
	Attack    string `json:"attack"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

// LayerFilters limit the platforms the Navigator shows.
type LayerFilters struct {
	Platforms []string `json:"platforms"`
}

// LayerLayout is how the matrix is drawn.
type LayerLayout struct {
	Layout                string `json:"layout"`
	AggregateFunction     string `json:"aggregateFunction"`
	ShowID                bool   `json:"showID"`
	ShowName              bool   `json:"showName"`
	ShowAggregateScores   bool   `json:"showAggregateScores"`
	CountUnscored         bool   `json:"countUnscored"`
	ExpandedSubtechniques string `json:"expandedSubtechniques"`
}

// LayerTechnique is one scored technique, under one tactic.
type LayerTechnique struct {
	TechniqueID       string          `json:"techniqueID"`
	Tactic            string          `json:"tactic,omitempty"`
	Score             int             `json:"score"`
	Comment           string          `json:"comment"`
	Enabled           bool            `json:"enabled"`
	ShowSubtechniques bool            `json:"showSubtechniques"`
	Metadata          []LayerMetadata `json:"metadata,omitempty"` // never null: the format wants a list or nothing
}

// LayerGradient colours scores from MinValue to MaxValue.
type LayerGradient struct {
	Colors   []string `json:"colors"`
	MinValue int      `json:"minValue"`
	MaxValue int      `json:"maxValue"`
}

// LegendItem explains a colour.
type LegendItem struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

// LayerMetadata is a name and value shown with the layer or a technique.
type LayerMetadata struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// platforms are the enterprise platforms the layer format names: the
// labs' cloud work shows under AWS and Linux, but a reader may widen it.
var platforms = []string{"PRE", "Windows", "Linux", "macOS", "Network", "AWS", "GCP", "Azure", "Azure AD", "Office 365", "SaaS"}

// navigatorVersion is the Navigator release the layer format 4.5 belongs to.
const navigatorVersion = "5.1.0"

// TraineeLayer is a trainee's techniques; a technique's score is the
// number of objectives that showed it.
func (f *Frameworks) TraineeLayer(t Transcript) Layer {
	scores := map[string]int{}
	comments := map[string]string{}
	for _, it := range t.Techniques {
		scores[it.ID] = len(it.Evidence)
		comments[it.ID] = fmt.Sprintf("%d solved objective(s)", len(it.Evidence))
	}
	l := f.layer(t.Trainee.Name, "Techniques shown in the range's labs by "+t.Trainee.Name+".", scores, comments)
	l.Metadata = append(l.Metadata, LayerMetadata{Name: "trainee", Value: t.Trainee.ID})
	return l
}

// CohortLayer is a cohort's heat map; a technique's score is the number of
// its trainees who have shown it.
func (f *Frameworks) CohortLayer(name string, v CohortView) Layer {
	scores := map[string]int{}
	comments := map[string]string{}
	for _, h := range v.Techniques {
		scores[h.ID] = h.Trainees
		comments[h.ID] = fmt.Sprintf("%d of %d trainees", h.Trainees, len(v.Trainees))
	}
	l := f.layer(name, "Techniques the cohort's trainees have shown in the range's labs.", scores, comments)
	l.Metadata = append(l.Metadata, LayerMetadata{Name: "trainees", Value: fmt.Sprint(len(v.Trainees))})
	return l
}

func (f *Frameworks) layer(name, description string, scores map[string]int, comments map[string]string) Layer {
	l := Layer{
		Name: name, Domain: "enterprise-attack", Description: description,
		Versions:   LayerVersions{Attack: f.AttackVersion, Navigator: navigatorVersion, Layer: "4.5"},
		Filters:    LayerFilters{Platforms: platforms},
		Layout:     LayerLayout{Layout: "side", AggregateFunction: "average", ShowName: true, ShowID: true, ExpandedSubtechniques: "annotated"},
		Techniques: []LayerTechnique{}, LegendItems: []LegendItem{},
		Metadata:                      []LayerMetadata{{Name: "source", Value: "Sakimori"}},
		ShowTacticRowBackground:       false,
		SelectSubtechniquesWithParent: false,
		SelectVisibleTechniques:       false,
	}
	most := 1
	ids := make([]string, 0, len(scores))
	for id, s := range scores {
		ids = append(ids, id)
		most = max(most, s)
	}
	sort.Strings(ids)
	for _, id := range ids {
		tech, _ := f.Technique(id)
		// A technique under several tactics is scored under each, so
		// every cell the Navigator draws for it is coloured.
		for _, tactic := range tech.Tactics {
			l.Techniques = append(l.Techniques, LayerTechnique{TechniqueID: id, Tactic: tactic, Score: scores[id],
				Comment: comments[id], Enabled: true, ShowSubtechniques: false, Metadata: []LayerMetadata{}})
		}
	}
	l.Gradient = LayerGradient{Colors: []string{"#ffffff", "#66b1ff", "#1f5fa8"}, MinValue: 0, MaxValue: most}
	return l
}
