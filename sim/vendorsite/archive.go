package vendorsite

import (
	"encoding/json"
	"sort"
	"strings"
)

// The files docker load reads before the OCI layout.
type (
	archiveManifest struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	ociIndex struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Manifests     []descriptor `json:"manifests"`
	}
)

func blobPath(d descriptor) string { return "blobs/sha256/" + strings.TrimPrefix(d.Digest, "sha256:") }

// imageArchive lays an image's blobs out as docker save does, with the
// index of the OCI layout and docker's own manifest beside them, both
// naming the image.
func imageArchive(parts blobs, m ociManifest, manifest descriptor) ([]byte, error) {
	saved := archiveManifest{Config: blobPath(m.Config), RepoTags: []string{ImageName}}
	for _, l := range m.Layers {
		saved.Layers = append(saved.Layers, blobPath(l))
	}
	manifest.Annotations = map[string]string{"io.containerd.image.name": "docker.io/" + ImageName, "org.opencontainers.image.ref.name": Version}
	index, err := json.Marshal(ociIndex{SchemaVersion: 2, MediaType: indexType, Manifests: []descriptor{manifest}})
	if err != nil {
		return nil, err
	}
	savedJSON, err := json.Marshal([]archiveManifest{saved})
	if err != nil {
		return nil, err
	}
	top := strings.TrimPrefix(m.Layers[len(m.Layers)-1].Digest, "sha256:")
	repositories, err := json.Marshal(map[string]map[string]string{ImageRepo: {Version: top}})
	if err != nil {
		return nil, err
	}

	entries := []entry{{"blobs/", 0o755, ""}, {"blobs/sha256/", 0o755, ""}}
	digests := make([]string, 0, len(parts))
	for d := range parts {
		digests = append(digests, d)
	}
	sort.Strings(digests)
	for _, d := range digests {
		entries = append(entries, entry{"blobs/sha256/" + d, 0o644, string(parts[d])})
	}
	entries = append(entries,
		entry{"index.json", 0o644, string(index) + "\n"},
		entry{"manifest.json", 0o644, string(savedJSON) + "\n"},
		entry{"oci-layout", 0o644, `{"imageLayoutVersion":"1.0.0"}` + "\n"},
		entry{"repositories", 0o644, string(repositories) + "\n"})
	return tarOf(entries)
}
