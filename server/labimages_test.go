package server_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
)

// engineLoads stands in for the engine's image load, which the Docker
// driver's tests run on a real engine with archives it saved itself: here
// the route and the scan in front of it are under test.
type engineLoads struct {
	mu     sync.Mutex
	loaded [][]byte
}

func (e *engineLoads) LoadImage(_ context.Context, r io.Reader) error {
	data, err := io.ReadAll(r)
	e.mu.Lock()
	e.loaded = append(e.loaded, data)
	e.mu.Unlock()
	return err
}

// imageArchive is an archive as docker save writes one: one image named
// name, running as user, its one layer holding the files given with
// their modes.
func imageArchive(t *testing.T, name, user string, files map[string]int64) string {
	t.Helper()
	var layer bytes.Buffer
	lw := tar.NewWriter(&layer)
	for p, mode := range files {
		_ = lw.WriteHeader(&tar.Header{Name: p, Mode: mode, Typeflag: tar.TypeReg})
	}
	_ = lw.Close()
	cfg, _ := json.Marshal(map[string]any{"config": map[string]any{"User": user}})
	manifest, _ := json.Marshal([]map[string]any{{"Config": "blobs/sha256/c", "RepoTags": []string{name}, "Layers": []string{"blobs/sha256/l"}}})
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for _, f := range []struct {
		name string
		data []byte
	}{{"blobs/sha256/c", cfg}, {"blobs/sha256/l", layer.Bytes()}, {"manifest.json", manifest}} {
		_ = tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.data)), Typeflag: tar.TypeReg})
		_, _ = tw.Write(f.data)
	}
	_ = tw.Close()
	return out.String()
}

// An admin adds a lab image from an archive: refused, with the reason, if
// it runs as root, holds a setuid file or takes the name of one of the
// range's own images, and then nothing reaches the engine; once added,
// authored scenarios may name it. Only admins list or add images.
func TestAdminsAddLabImagesFromArchives(t *testing.T) {
	cl := classOn(t, newRangeWithLabs(t, fakeLabs()))
	ct := contractOf(t, cl.rg)
	const path = "/api/v1/admin/lab-images"
	tarType := []string{"Content-Type", "application/x-tar"}
	add := func(who, archive string, headers ...string) reply {
		t.Helper()
		// Not held to the contract here: the contract check sends JSON.
		return cl.rg.call("POST", path, archive, append(bearer(cl.token[who]), headers...)...)
	}
	list := func(who string) reply {
		t.Helper()
		r := cl.rg.call("GET", path, nil, bearer(cl.token[who])...)
		ct.holds(t, "GET", path, nil, r)
		return r
	}
	clean := imageArchive(t, "sakimori-lab/shop:1.0", "1000:1000", map[string]int64{"bin/shop": 0o755})

	expect(t, list("teachA"), 403, "forbidden")
	expect(t, add("teachA", clean, tarType...), 403, "forbidden")
	before := list("admin")
	expect(t, before, 200, "")
	if !strings.Contains(before.raw, `"sakimori-lab/workstation:latest"`) || !strings.Contains(before.raw, `"added":[]`) {
		t.Fatalf("images: %s", before.raw)
	}
	expect(t, add("admin", clean, tarType...), 503, "images_unavailable")

	engine := &engineLoads{}
	cl.rg.authoring.UseImageLoader(engine)
	for _, c := range []struct {
		name, archive, ctype string
		status               int
		code, says           string
	}{
		{"not a tar type", clean, "application/json", 400, "image_content_type_invalid", ""},
		{"not an archive", strings.Repeat("not a tar ", 100), "application/x-tar", 400, "image_refused", "not a readable tar"},
		{"root", imageArchive(t, "sakimori-lab/rooted:1", "", nil), "application/x-tar", 400, "image_refused", "runs as root"},
		{"setuid", imageArchive(t, "sakimori-lab/suid:1", "1000", map[string]int64{"usr/bin/passwd": 0o4755}), "application/x-tar", 400, "image_refused", "/usr/bin/passwd"},
		{"a registry's name", imageArchive(t, "registry.example.org:5000/shop:1", "1000", nil), "application/x-tar", 400, "image_refused", "not a plain name:tag"},
		{"the range's own name", imageArchive(t, "sakimori-lab/base:latest", "1000", nil), "application/x-tar", 409, "image_name_taken", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := add("admin", c.archive, "Content-Type", c.ctype)
			expect(t, r, c.status, c.code)
			if !strings.Contains(r.raw, c.says) {
				t.Fatalf("the refusal says why (%q): %s", c.says, r.raw)
			}
		})
	}
	if len(engine.loaded) != 0 {
		t.Fatalf("refused archives reached the engine: %d", len(engine.loaded))
	}

	// A scenario naming the image is refused until the image is added.
	files := templateFiles(t, cl, "one-host", "shop-floor")
	shop := edited(files, "image: sakimori-lab/base:latest", "image: sakimori-lab/shop:1.0")
	drafts := "/api/v1/organisations/" + cl.orgA + "/authored-scenarios/drafts"
	expect(t, cl.rg.call("POST", drafts, map[string]any{"files": shop}, bearer(cl.token["teachA"])...), 400, "image_not_on_range")

	added := add("admin", clean, tarType...)
	expect(t, added, 201, "")
	if added.body["name"] != "sakimori-lab/shop:1.0" || added.body["run_as"] != "1000:1000" || added.body["added_by"] == nil {
		t.Fatalf("added: %s", added.raw)
	}
	if len(engine.loaded) != 1 || string(engine.loaded[0]) != clean {
		t.Fatalf("the engine got %d archives", len(engine.loaded))
	}
	after := list("admin")
	if !strings.Contains(after.raw, `"sakimori-lab/shop:1.0"]`) || !strings.Contains(after.raw, `"added":[{"name":"sakimori-lab/shop:1.0"`) {
		t.Fatalf("images after: %s", after.raw)
	}
	expect(t, cl.rg.call("POST", drafts, map[string]any{"files": shop}, bearer(cl.token["teachA"])...), 201, "")
	audit := cl.rg.call("GET", "/api/v1/audit?action=lab_image.add", nil, bearer(cl.token["admin"])...)
	if !strings.Contains(audit.raw, "sakimori-lab/shop:1.0") {
		t.Fatalf("audit: %s", audit.raw)
	}
}
