package competency_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/competency"
)

func pattern(id, name string, extra map[string]any) map[string]any {
	o := map[string]any{
		"type": "attack-pattern", "spec_version": "2.1", "id": "attack-pattern--" + strings.ToLower(id), "name": name,
		"external_references": []any{
			map[string]any{"source_name": "capec", "external_id": "CAPEC-1"},
			map[string]any{"source_name": "mitre-attack", "external_id": id, "url": "https://attack.mitre.org/techniques/" + id},
		},
		"kill_chain_phases":       []any{map[string]any{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}},
		"x_mitre_platforms":       []any{"IaaS", "Linux"},
		"x_mitre_is_subtechnique": false,
	}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func bundle(t *testing.T, objects ...map[string]any) []byte {
	t.Helper()
	raw, err := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--1", "objects": objects})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseSTIXKeepsCurrentTechniques(t *testing.T) {
	raw := bundle(t,
		map[string]any{"type": "x-mitre-collection", "name": "Enterprise ATT&CK", "x_mitre_version": "18.1"},
		pattern("T1190", "Exploit Public-Facing Application", nil),
		pattern("T1552.005", "Cloud Instance Metadata API", map[string]any{"kill_chain_phases": []any{
			map[string]any{"kill_chain_name": "mitre-attack", "phase_name": "credential-access"},
			map[string]any{"kill_chain_name": "other", "phase_name": "ignored"},
		}}),
		pattern("T1000", "Old", map[string]any{"revoked": true}),
		pattern("T1001", "Older", map[string]any{"x_mitre_deprecated": true}),
		map[string]any{"type": "relationship", "relationship_type": "uses"},
	)
	imp, err := competency.ParseSTIX(bytes.NewReader(raw), competency.DefaultImportLimits)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Version != "18.1" || imp.Skipped != 2 || len(imp.Techniques) != 2 {
		t.Fatalf("import %+v", imp)
	}
	got := imp.Techniques[1]
	if got.ID != "T1552.005" || got.Name != "Cloud Instance Metadata API" || strings.Join(got.Tactics, ",") != "credential-access" ||
		strings.Join(got.Platforms, ",") != "IaaS,Linux" {
		t.Errorf("technique %+v", got)
	}
	f := competency.Bundled().WithAttack(imp.Version, imp.Techniques)
	if _, ok := f.Technique("T1552.005"); !ok || f.AttackVersion != "18.1" {
		t.Error("the imported catalogue is not used")
	}
	if _, ok := f.Technique("T1078.004"); ok {
		t.Error("the bundled subset still answers after an import replaced it")
	}
	if _, ok := competency.Bundled().Technique("T1078.004"); !ok {
		t.Error("the import changed the bundled frameworks")
	}
}

func TestParseSTIXRefusesBadBundles(t *testing.T) {
	good := bundle(t, pattern("T1190", "Exploit", nil))
	cases := map[string]struct {
		raw  []byte
		max  int64
		code string
	}{
		"not json":          {[]byte("<xml/>"), 1 << 20, competency.CodeImportMalformed},
		"array":             {[]byte("[]"), 1 << 20, competency.CodeImportMalformed},
		"cut short":         {good[:len(good)-20], 1 << 20, competency.CodeImportMalformed},
		"trailing content":  {append(append([]byte{}, good...), []byte(`{"x":1}`)...), 1 << 20, competency.CodeImportMalformed},
		"not a bundle":      {[]byte(`{"type":"indicator","objects":[]}`), 1 << 20, competency.CodeImportMalformed},
		"no techniques":     {bundle(t, pattern("T1", "x", map[string]any{"revoked": true})), 1 << 20, competency.CodeImportMalformed},
		"no attack id":      {bundle(t, pattern("T1", "x", map[string]any{"external_references": []any{}})), 1 << 20, competency.CodeImportMalformed},
		"technique twice":   {bundle(t, pattern("T1", "x", nil), pattern("T1", "y", nil)), 1 << 20, competency.CodeImportMalformed},
		"objects not list":  {[]byte(`{"type":"bundle","objects":{}}`), 1 << 20, competency.CodeImportMalformed},
		"too large":         {good, int64(len(good) - 1), competency.CodeImportTooLarge},
		"too large, padded": {append(bytes.Repeat([]byte(" "), 4096), good...), 1024, competency.CodeImportTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			lim := competency.DefaultImportLimits
			lim.MaxBytes = c.max
			_, err := competency.ParseSTIX(bytes.NewReader(c.raw), lim)
			if code(err) != c.code {
				t.Fatalf("err %v, want code %s", err, c.code)
			}
		})
	}
}

func TestParseSTIXAcceptsABundleOfExactlyTheLimit(t *testing.T) {
	good := bundle(t, pattern("T1190", "Exploit", nil))
	lim := competency.DefaultImportLimits
	lim.MaxBytes = int64(len(good))
	if _, err := competency.ParseSTIX(bytes.NewReader(good), lim); err != nil {
		t.Fatal(err)
	}
}
