package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs/bundle"
	"github.com/sakimori/sakimori/scenarios"
)

// The built-in scenarios are read-only versions: listed with their number
// and the digest of the same bundle `sakimori scenario export` writes, their
// files opened for an editor copy, which is saved as a draft of the
// author's own; a diff compares that copy with the built-in it came from.
// Trainees see none of this, and nothing publishes a built-in.
func TestBuiltInScenariosAreReadOnlyVersions(t *testing.T) {
	cl := classOn(t, newRangeWithLabs(t, fakeLabs()))
	ct := contractOf(t, cl.rg)
	get := func(who, path string) reply {
		t.Helper()
		r := cl.rg.call("GET", path, nil, bearer(cl.token[who])...)
		if !strings.HasSuffix(path, "/bundle") {
			ct.holds(t, "GET", path, nil, r)
		}
		return r
	}
	expect(t, get("trainee", "/api/v1/builtin-scenarios"), 403, "forbidden")
	listed := get("teachA", "/api/v1/builtin-scenarios")
	expect(t, listed, 200, "")
	var list struct {
		Scenarios []struct {
			ScenarioID string `json:"scenario_id"`
			Number     int
			Digest     string
			ReadOnly   bool `json:"read_only"`
		}
	}
	if err := json.Unmarshal([]byte(listed.raw), &list); err != nil || len(list.Scenarios) < 4 {
		t.Fatalf("built-ins: %v %s", err, listed.raw)
	}
	exported, err := bundle.Export(scenarios.Files(), "orientation")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(exported)
	var orientation string
	for _, s := range list.Scenarios {
		if s.ScenarioID == "orientation" {
			orientation = s.Digest
			if !s.ReadOnly || s.Number < 1 {
				t.Fatalf("orientation: %+v", s)
			}
		}
	}
	if orientation != hex.EncodeToString(sum[:]) {
		t.Fatalf("orientation's digest %q is not its exported bundle's", orientation)
	}
	downloaded := get("teachA", "/api/v1/builtin-scenarios/orientation/bundle")
	expect(t, downloaded, 200, "")
	if downloaded.raw != string(exported) || downloaded.header.Get("ETag") != `"`+orientation+`"` {
		t.Fatalf("the bundle download is not the exported bundle (etag %s)", downloaded.header.Get("ETag"))
	}
	expect(t, get("teachA", "/api/v1/builtin-scenarios/nowhere/files"), 404, "scenario_not_found")

	// A copy, edited and saved, is the author's own draft.
	var opened struct{ Files []struct{ Path, Text string } }
	if err := json.Unmarshal([]byte(get("teachA", "/api/v1/builtin-scenarios/orientation/files").raw), &opened); err != nil || opened.Files[0].Path != "scenario.yaml" {
		t.Fatalf("files: %v %+v", err, opened)
	}
	copied := map[string]string{}
	for _, f := range opened.Files {
		copied[f.Path] = f.Text
	}
	copied = edited(copied, "id: orientation", "id: our-orientation")
	draft := cl.rg.call("POST", "/api/v1/organisations/"+cl.orgA+"/authored-scenarios/drafts", map[string]any{"files": copied}, bearer(cl.token["teachA"])...)
	expect(t, draft, 201, "")
	diffPath := "/api/v1/organisations/" + cl.orgA + "/authored-scenarios/" + draft.body["authored_id"].(string) +
		"/diff?from=builtin:orientation&to=" + draft.body["digest"].(string)
	diff := get("teachA", diffPath)
	expect(t, diff, 200, "")
	if !strings.Contains(diff.raw, `"path":"scenario.yaml","change":"changed"`) || !strings.Contains(diff.raw, `-id: orientation\n+id: our-orientation`) || strings.Count(diff.raw, `"path"`) != 1 {
		t.Fatalf("the copy differs from the built-in by its id alone: %s", diff.raw)
	}
	expect(t, get("teachA", strings.Replace(diffPath, "builtin:orientation", "builtin:nowhere", 1)), 404, "scenario_not_found")
}
