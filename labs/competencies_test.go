package labs

import (
	"errors"
	"strings"
	"testing"
)

// Every framework id a manifest names must be in the loaded frameworks;
// each unknown one is refused at its path.
func TestUnknownCompetencyIDsAreRefused(t *testing.T) {
	cases := []struct {
		name, from, to, path, message string
	}{
		{"unknown technique", "attack: [T1552.005]", "attack: [T1999]", "attack[0]", `ATT&CK technique "T1999" is not in the loaded competency frameworks`},
		{"unknown work role", "attack: [T1552.005]", "attack: [T1552.005]\nnice_roles: [Chief Wizard]", "nice_roles[0]", `NICE work role "Chief Wizard"`},
		{"unknown objective technique", ", variable: flag}]", ", variable: flag, attack: [T1552.999]}]", "objectives[0].attack[0]", "T1552.999"},
		{"unknown statement", ", variable: flag}]", ", variable: flag, nice: [K9999]}]", "objectives[0].nice[0]", `NICE statement "K9999"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(strings.Replace(valid, tc.from, tc.to, 1)), "case.yaml")
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("accepted (err %v)", err)
			}
			for _, p := range me.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.message) {
					return
				}
			}
			t.Fatalf("no problem at %q mentioning %q; got:\n%v", tc.path, tc.message, me)
		})
	}
}

func TestKnownCompetencyIDsPass(t *testing.T) {
	m := strings.Replace(valid, ", variable: flag}]", ", variable: flag, attack: [T1552.005], nice: [T1118, K0672]}]", 1)
	m = strings.Replace(m, "attack: [T1552.005]\n", "attack: [T1552.005]\nnice_roles: [PD-WRL-007, Incident Response]\n", 1)
	s, err := ParseScenario([]byte(m), "case.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c := CompetencyMapping(s)
	if len(c.Objectives) != 1 || c.Objectives[0].Statements[1] != "K0672" || c.Objectives[0].Verified != "flag" || len(c.Roles) != 2 {
		t.Fatalf("mapping %+v", c)
	}
}

// A malformed id is reported once, as malformed, not also as unknown.
func TestMalformedTechniqueIsReportedOnce(t *testing.T) {
	_, err := ParseScenario([]byte(strings.Replace(valid, "attack: [T1552.005]", "attack: [T15]", 1)), "case.yaml")
	var me *ManifestError
	if !errors.As(err, &me) {
		t.Fatal(err)
	}
	n := 0
	for _, p := range me.Problems {
		if p.Path == "attack[0]" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d problems at attack[0]: %v", n, me)
	}
}
