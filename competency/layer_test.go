package competency_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/sakimori/sakimori/competency"
)

// layerSchema is the Navigator's layer format 4.5 written as a JSON
// schema: what it requires, the values it allows, and nothing else at the
// top level, so a misspelt field fails too.
func layerSchema(t *testing.T) *openapi3.Schema {
	t.Helper()
	raw, err := os.ReadFile("testdata/layer-4.5.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s openapi3.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func validLayer(t *testing.T, l competency.Layer) map[string]any {
	t.Helper()
	raw, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if err := layerSchema(t).VisitJSON(doc); err != nil {
		t.Fatalf("the layer does not validate: %v\n%s", err, raw)
	}
	return doc
}

func TestTraineeLayerValidatesAndScoresTechniques(t *testing.T) {
	f := competency.Bundled()
	ix := competency.NewIndex(f, catalogue())
	tr := ix.Transcript(competency.Trainee{ID: "u1", Name: "佐藤 花子"}, []competency.Record{
		{ID: "1", Scenario: "metadata-heist", Objective: "steal", At: at},
		{ID: "2", Scenario: "metadata-heist", Objective: "triage", At: at},
	}, at)
	doc := validLayer(t, f.TraineeLayer(tr))
	scores := map[string]float64{}
	for _, raw := range doc["techniques"].([]any) {
		tech := raw.(map[string]any)
		scores[tech["techniqueID"].(string)] = tech["score"].(float64)
	}
	if scores["T1552.005"] != 2 || scores["T1190"] != 1 || len(scores) != 2 {
		t.Errorf("scores %v: T1552.005 was shown by two objectives, T1190 by one", scores)
	}
	if doc["name"] != "佐藤 花子" {
		t.Errorf("name %v", doc["name"])
	}
}

func TestCohortLayerValidatesEvenEmpty(t *testing.T) {
	f := competency.Bundled()
	ix := competency.NewIndex(f, catalogue())
	validLayer(t, f.CohortLayer("Spring class", ix.Cohort(nil)))
	b := ix.Transcript(competency.Trainee{ID: "b"}, []competency.Record{{ID: "3", Scenario: "open-by-default", Objective: "list", At: at}}, at)
	doc := validLayer(t, f.CohortLayer("Spring class", ix.Cohort([]competency.Transcript{b, b})))
	g := doc["gradient"].(map[string]any)
	if g["maxValue"].(float64) != 2 {
		t.Errorf("gradient %v: its top is the most trainees on one technique", g)
	}
}

func TestTheSchemaRefusesABrokenLayer(t *testing.T) {
	l := competency.Bundled().TraineeLayer(competency.Transcript{Trainee: competency.Trainee{Name: "x"}})
	l.Versions.Layer = "4.4"
	raw, _ := json.Marshal(l)
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	if layerSchema(t).VisitJSON(doc) == nil {
		t.Fatal("a layer of format 4.4 passed the 4.5 schema: the schema checks nothing")
	}
}
