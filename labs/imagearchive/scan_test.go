package imagearchive_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sakimori/sakimori/labs/imagearchive"
)

type file struct {
	name string
	mode int64
	typ  byte
}

// layer is a tar of the given files, gzip-compressed when zipped.
func layer(t *testing.T, zipped bool, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var gz *gzip.Writer
	if zipped {
		gz = gzip.NewWriter(&buf)
		w = gz
	}
	tw := tar.NewWriter(w)
	for _, f := range files {
		typ := f.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Typeflag: typ}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if gz != nil {
		_ = gz.Close()
	}
	return buf.Bytes()
}

// archive is an image archive as docker save writes one: manifest.json
// naming a config and layers under blobs/.
func archive(t *testing.T, manifest any, blobs map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	put := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(data)
	}
	for name, data := range blobs {
		put(name, data)
	}
	if manifest != nil {
		m, _ := json.Marshal(manifest)
		put("manifest.json", m)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func opener(data []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

func image(t *testing.T, user string, layers ...[]byte) []byte {
	t.Helper()
	cfg, _ := json.Marshal(map[string]any{"config": map[string]any{"User": user}})
	blobs := map[string][]byte{"blobs/sha256/cfg": cfg}
	var names []string
	for i, l := range layers {
		name := "blobs/sha256/layer" + string(rune('a'+i))
		blobs[name] = l
		names = append(names, name)
	}
	return archive(t, []map[string]any{{"Config": "blobs/sha256/cfg", "RepoTags": []string{"sakimori-lab/shop:1.0"}, "Layers": names}}, blobs)
}

// A clean image is read with its name and user; a setuid file deep in a
// compressed layer, a root user or a malformed archive is refused with
// words that say what to change.
func TestScanReadsAndRefuses(t *testing.T) {
	plain := layer(t, false, file{name: "bin/busybox", mode: 0o755}, file{name: "home/trainee/", mode: 0o755, typ: tar.TypeDir})
	img, err := imagearchive.Scan(opener(image(t, "1000:1000", plain)))
	if err != nil {
		t.Fatal(err)
	}
	if img.Tags[0] != "sakimori-lab/shop:1.0" || img.User != "1000:1000" || img.Layers != 1 {
		t.Fatalf("image %+v", img)
	}

	sticky := layer(t, false, file{name: "tmp/", mode: 0o1777, typ: tar.TypeDir})
	if _, err := imagearchive.Scan(opener(image(t, "app", plain, sticky))); err != nil {
		t.Fatalf("a sticky folder and a named user are fine: %v", err)
	}

	for _, c := range []struct {
		name string
		data []byte
		says string
	}{
		{"no user", image(t, "", plain), "runs as root, as it names no user"},
		{"root by name", image(t, "root", plain), `root (user "root")`},
		{"uid 0", image(t, "0:0", plain), `root (user "0:0")`},
		{"setuid in a gzip layer", image(t, "1000", plain, layer(t, true, file{name: "./usr/bin/passwd", mode: 0o4755})), "1 setuid or setgid file(s)" + ", which let a trainee become their owner: /usr/bin/passwd"},
		{"setgid folder is fine, setgid file is not", image(t, "1000", layer(t, false, file{name: "srv/", mode: 0o2775, typ: tar.TypeDir}, file{name: "usr/bin/wall", mode: 0o2755})), "/usr/bin/wall"},
		{"not a tar", []byte("hello, not an archive at all, but long enough to read a header from it ............................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................"), "not a readable tar"},
		{"no manifest", archive(t, nil, map[string][]byte{"x": []byte("y")}), "no manifest.json"},
		{"two images", archive(t, []map[string]any{{"RepoTags": []string{"a:1"}}, {"RepoTags": []string{"b:1"}}}, nil), "holds 2 images"},
		{"unnamed", archive(t, []map[string]any{{"Config": "c", "Layers": []string{}}}, nil), "names no image"},
		{"missing layer", archive(t, []map[string]any{{"Config": "blobs/sha256/cfg", "RepoTags": []string{"a:1"}, "Layers": []string{"blobs/sha256/gone"}}}, map[string][]byte{"blobs/sha256/cfg": []byte(`{"config":{"User":"1000"}}`)}), `lacks its layer "blobs/sha256/gone"`},
		{"missing config", archive(t, []map[string]any{{"Config": "blobs/sha256/cfg", "RepoTags": []string{"a:1"}}}, nil), "config \"blobs/sha256/cfg\" is missing"},
		// An engine may load by the OCI index instead of manifest.json: what
		// manifest.json does not name is scanned all the same.
		{"a setuid layer manifest.json does not name", withBlob(t, image(t, "1000", plain), "blobs/sha256/hidden", layer(t, false, file{name: "bin/sh-suid", mode: 0o4755})), "/bin/sh-suid"},
		{"another config that runs as root", withBlob(t, image(t, "1000", plain), "blobs/sha256/rootcfg", []byte(`{"rootfs": {"type": "layers"}, "config": {"User": ""}}`)), `"blobs/sha256/rootcfg", that runs as root`},
		{"a file neither JSON nor a layer", withBlob(t, image(t, "1000", plain), "blobs/sha256/odd", []byte(strings.Repeat("plain words, no tar header here. ", 40))), "neither JSON nor a readable layer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := imagearchive.Scan(opener(c.data))
			var r *imagearchive.Refusal
			if !errors.As(err, &r) || !strings.Contains(r.Reason, c.says) {
				t.Fatalf("got %v; want a refusal saying %q", err, c.says)
			}
		})
	}
}

// Past five, the setuid files are counted, not all named.
func TestScanNamesAFewSetuidFiles(t *testing.T) {
	var files []file
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		files = append(files, file{name: "bin/" + n, mode: 0o4755})
	}
	_, err := imagearchive.Scan(opener(image(t, "1000", layer(t, false, files...))))
	if err == nil || !strings.Contains(err.Error(), "holds 7 setuid") || !strings.Contains(err.Error(), "/bin/e.") || strings.Contains(err.Error(), "/bin/f") {
		t.Fatalf("refusal: %v", err)
	}
}

// withBlob is an archive with one more file added.
func withBlob(t *testing.T, data []byte, name string, blob []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		body, _ := io.ReadAll(tr)
		_ = tw.WriteHeader(h)
		_, _ = tw.Write(body)
	}
	_ = tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(blob)), Typeflag: tar.TypeReg})
	_, _ = tw.Write(blob)
	_ = tw.Close()
	return buf.Bytes()
}
