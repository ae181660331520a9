package vendorsite

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path"
	"strings"
	"testing"
)

// untar reads a tar into its files by name, and their headers.
func untar(t *testing.T, b []byte) (map[string][]byte, map[string]*tar.Header) {
	t.Helper()
	files, headers := map[string][]byte{}, map[string]*tar.Header{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, headers
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name], headers[h.Name] = body, h
	}
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// savedImage is what docker load reads of an archive: the manifest, the
// config it names and the layers, in order.
type savedImage struct {
	files  map[string][]byte
	config imageConfig
	layers [][]byte
}

func loadSaved(t *testing.T, archive []byte) savedImage {
	t.Helper()
	files, _ := untar(t, archive)
	var manifest []archiveManifest
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if len(manifest) != 1 || len(manifest[0].RepoTags) != 1 || manifest[0].RepoTags[0] != "coverlytics/uploader:1.0.3" {
		t.Fatalf("manifest.json: %+v", manifest)
	}
	m := manifest[0]
	cfgJSON, ok := files[m.Config]
	if !ok || digestOf(cfgJSON) != "sha256:"+path.Base(m.Config) {
		t.Fatalf("config %s is missing or not named by its digest", m.Config)
	}
	img := savedImage{files: files}
	if err := json.Unmarshal(cfgJSON, &img.config); err != nil {
		t.Fatal(err)
	}
	if len(m.Layers) != len(img.config.RootFS.DiffIDs) {
		t.Fatalf("%d layers, %d diff ids", len(m.Layers), len(img.config.RootFS.DiffIDs))
	}
	for i, name := range m.Layers {
		layer, ok := files[name]
		if !ok || digestOf(layer) != img.config.RootFS.DiffIDs[i] {
			t.Fatalf("layer %d (%s) is missing or is not diff id %s", i, name, img.config.RootFS.DiffIDs[i])
		}
		img.layers = append(img.layers, layer)
	}
	return img
}

func TestReleaseImageIsADockerSave(t *testing.T) {
	archive, err := ReleaseImage(genuine, releaseKey, "http://storage.coverlytics.example")
	if err != nil {
		t.Fatal(err)
	}
	img := loadSaved(t, archive)
	if img.config.OS != "linux" || img.config.Architecture != "amd64" || img.config.RootFS.Type != "layers" || len(img.layers) != 3 {
		t.Fatalf("config: %+v", img.config)
	}
	var built []string
	for _, h := range img.config.History {
		if !h.EmptyLayer {
			built = append(built, h.CreatedBy)
		}
	}
	if len(built) != len(img.layers) {
		t.Fatalf("%d history steps made layers, %d layers", len(built), len(img.layers))
	}
	for i, want := range []string{"COPY .aws/ /root/.aws/", "aws s3 cp s3://coverlytics-uploader/bash /usr/local/bin/coverlytics", "rm /root/.aws/credentials"} {
		if !strings.Contains(built[i], want) {
			t.Errorf("step %d is %q, want it to say %q", i, built[i], want)
		}
	}
	var repos map[string]map[string]string
	if err := json.Unmarshal(img.files["repositories"], &repos); err != nil || repos["coverlytics/uploader"]["1.0.3"] == "" {
		t.Errorf("repositories: %s (%v)", img.files["repositories"], err)
	}
	checkOCILayout(t, img)
}

// checkOCILayout follows index.json to the same config and layers.
func checkOCILayout(t *testing.T, img savedImage) {
	t.Helper()
	var index ociIndex
	if err := json.Unmarshal(img.files["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		t.Fatalf("index.json: %s (%v)", img.files["index.json"], err)
	}
	d := index.Manifests[0]
	raw := img.files["blobs/sha256/"+strings.TrimPrefix(d.Digest, "sha256:")]
	if digestOf(raw) != d.Digest || len(raw) != d.Size {
		t.Fatalf("the index's manifest %s is not in the blobs", d.Digest)
	}
	var m ociManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if cfg := img.files["blobs/sha256/"+strings.TrimPrefix(m.Config.Digest, "sha256:")]; digestOf(cfg) != m.Config.Digest || len(cfg) != m.Config.Size {
		t.Errorf("the OCI manifest's config %s is not in the blobs", m.Config.Digest)
	}
	for i, l := range m.Layers {
		if l.Digest != img.config.RootFS.DiffIDs[i] || l.Size != len(img.layers[i]) {
			t.Errorf("OCI layer %d: %+v", i, l)
		}
	}
	if string(img.files["oci-layout"]) != "{\"imageLayoutVersion\":\"1.0.0\"}\n" {
		t.Errorf("oci-layout: %q", img.files["oci-layout"])
	}
}

// The key the build deleted is gone from the image's filesystem but not
// from its first layer.
func TestReleaseImageKeepsTheKeyInAnEarlierLayer(t *testing.T) {
	archive, err := ReleaseImage(genuine, releaseKey, "http://storage.coverlytics.example")
	if err != nil {
		t.Fatal(err)
	}
	img := loadSaved(t, archive)
	first, _ := untar(t, img.layers[0])
	creds := string(first["root/.aws/credentials"])
	if !strings.Contains(creds, "aws_access_key_id = "+releaseKey.AccessKeyID) || !strings.Contains(creds, "aws_secret_access_key = "+releaseKey.SecretAccessKey) {
		t.Errorf("credentials in the first layer: %q", creds)
	}
	if !strings.Contains(string(first["root/.aws/config"]), "endpoint_url = http://storage.coverlytics.example") {
		t.Errorf("config: %q", first["root/.aws/config"])
	}
	second, headers := untar(t, img.layers[1])
	if string(second["usr/local/bin/coverlytics"]) != genuine || headers["usr/local/bin/coverlytics"].Mode != 0o755 {
		t.Errorf("the uploader: mode %o, %q", headers["usr/local/bin/coverlytics"].Mode, second["usr/local/bin/coverlytics"])
	}
	if string(second["etc/coverlytics/VERSION"]) != "1.0.3\n" {
		t.Errorf("VERSION: %q", second["etc/coverlytics/VERSION"])
	}
	merged := map[string]bool{}
	for _, l := range img.layers {
		files, _ := untar(t, l)
		for name := range files {
			dir, base := path.Split(name)
			if gone, ok := strings.CutPrefix(base, ".wh."); ok {
				delete(merged, dir+gone)
				continue
			}
			merged[name] = true
		}
	}
	if merged["root/.aws/credentials"] || !merged["root/.aws/config"] || !merged["usr/local/bin/coverlytics"] {
		t.Errorf("the image's files: %v", merged)
	}
}

func TestReleaseImageIsTheSameEachTime(t *testing.T) {
	a, err := ReleaseImage(genuine, releaseKey, "http://storage.coverlytics.example")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ReleaseImage(genuine, releaseKey, "http://storage.coverlytics.example")
	if !bytes.Equal(a, b) {
		t.Fatal("two builds differ")
	}
	c, _ := ReleaseImage(genuine+"# 1.0.4\n", releaseKey, "http://storage.coverlytics.example")
	if bytes.Equal(a, c) {
		t.Fatal("another uploader made the same image")
	}
}
