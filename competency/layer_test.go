package competency_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sakimori/sakimori/competency"
)

// layerSchema is the Navigator's layer format 4.5 as a JSON schema (see
// its $comment for where it comes from), compiled by a JSON Schema 2020-12
// validator.
func layerSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/layer-4.5.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("layer-4.5.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("layer-4.5.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
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
	if err := layerSchema(t).Validate(doc); err != nil {
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
	schema := layerSchema(t)
	good := competency.Bundled().TraineeLayer(competency.Transcript{Trainee: competency.Trainee{Name: "x"}})
	good.Techniques = []competency.LayerTechnique{{TechniqueID: "T1190", Score: 1}}
	broken := map[string]func(doc map[string]any){
		"format 4.4":        func(doc map[string]any) { doc["versions"].(map[string]any)["layer"] = "4.4" },
		"old navigator":     func(doc map[string]any) { doc["versions"].(map[string]any)["navigator"] = "4.8.2" },
		"misspelt field":    func(doc map[string]any) { doc["hideDisable"] = true },
		"unknown domain":    func(doc map[string]any) { doc["domain"] = "mitre-enterprise" },
		"technique id":      func(doc map[string]any) { doc["techniques"].([]any)[0].(map[string]any)["techniqueID"] = "T190" },
		"one gradient stop": func(doc map[string]any) { doc["gradient"].(map[string]any)["colors"] = []any{"#ffffff"} },
		"no name":           func(doc map[string]any) { delete(doc, "name") },
	}
	for name, breakIt := range broken {
		raw, _ := json.Marshal(good)
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc)
		if err := schema.Validate(doc); err != nil {
			t.Fatalf("the layer before breaking it does not validate: %#v", err)
		}
		breakIt(doc)
		if schema.Validate(doc) == nil {
			t.Errorf("%s: the broken layer passed the 4.5 schema", name)
		}
	}
}
