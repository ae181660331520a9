package competency_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/competency"
)

func TestBundledFrameworksLoad(t *testing.T) {
	f := competency.Bundled()
	if f.NICEVersion != "2.0.0" || f.NICEAttribution == "" || f.AttackNotice == "" {
		t.Fatalf("versions and notices: %q %q %q", f.NICEVersion, f.NICEAttribution, f.AttackNotice)
	}
	if len(f.Roles()) == 0 || len(f.Techniques()) == 0 {
		t.Fatal("the bundle is empty")
	}
	for _, r := range f.Roles() {
		if len(r.Statements) == 0 {
			t.Errorf("work role %s has no statements: its attainment could never move", r.ID)
		}
	}
}

func TestRoleByIDOrName(t *testing.T) {
	f := competency.Bundled()
	byName, ok := f.Role("Incident Response")
	if !ok {
		t.Fatal("Incident Response not found by name")
	}
	byID, ok := f.Role(byName.ID)
	if !ok || byID.Name != "Incident Response" {
		t.Fatalf("by id %s: %+v", byName.ID, byID)
	}
	if _, ok := f.Role("Chief Wizard"); ok {
		t.Fatal("an unknown role was found")
	}
}

func TestLoadRefusesBrokenCatalogues(t *testing.T) {
	attack := []byte(`{"techniques": [{"id": "T1530", "name": "Data from Cloud Storage", "tactics": ["collection"]}]}`)
	for name, nice := range map[string]string{
		"not JSON":                        `{`,
		"a role naming no such statement": `{"work_roles": [{"id": "PD-WRL-003", "name": "Incident Response", "statements": ["T9999"]}], "statements": []}`,
		"a statement twice":               `{"statements": [{"id": "K0001", "kind": "knowledge", "text": "a"}, {"id": "K0001", "kind": "knowledge", "text": "b"}]}`,
		"a statement of no kind":          `{"statements": [{"id": "K0001", "kind": "feeling", "text": "a"}]}`,
		"an unnamed role":                 `{"work_roles": [{"id": "PD-WRL-003"}]}`,
	} {
		if _, err := competency.Load([]byte(nice), attack); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := competency.Load([]byte(`{}`), []byte(`{"techniques": [{"id": "T1530"}, {"id": "T1530"}]}`)); err == nil {
		t.Error("a technique given twice loaded")
	}
}

func TestCheckNamesEveryUnknownID(t *testing.T) {
	f := competency.Bundled()
	s := competency.Scenario{
		ID: "s", Techniques: []string{"T1530", "T1999"}, Roles: []string{"Incident Response", "Chief Wizard"},
		Objectives: []competency.Objective{{ID: "o", Techniques: []string{"T1552.005", "T1552.999"}, Statements: []string{"T1030", "K9999"}}},
	}
	problems := f.Check(s)
	want := []string{"attack[1]", "nice_roles[1]", "objectives[0].attack[1]", "objectives[0].nice[1]"}
	if len(problems) != len(want) {
		t.Fatalf("problems: %+v", problems)
	}
	for i, p := range problems {
		if p.Path != want[i] || !strings.Contains(p.Message, competency.ErrUnknownItem.Error()) {
			t.Errorf("problem %d: %+v, want at %s", i, p, want[i])
		}
	}
	if !errors.Is(competency.ErrUnknownItem, competency.ErrUnknownItem) || len(f.Check(competency.Scenario{Techniques: []string{"T1530"}})) != 0 {
		t.Error("a known id was refused")
	}
}
