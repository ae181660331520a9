package vendorsite

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/sakimori/sakimori/sim/aws/client"
)

// ImageRepo, ImageName and ImageFile name the release's container image
// and the archive of it the site offers for download.
const (
	ImageRepo = "coverlytics/uploader"
	ImageName = ImageRepo + ":" + Version
	ImageFile = "coverlytics-uploader-" + Version + ".tar"
)

// built is when the release image was built: fixed, so that the archive,
// and the digests a trainee compares, are the same in every lab.
var built = time.Date(2021, time.January, 26, 14, 2, 11, 0, time.UTC)

const (
	layerType    = "application/vnd.oci.image.layer.v1.tar"
	configType   = "application/vnd.oci.image.config.v1+json"
	manifestType = "application/vnd.oci.image.manifest.v1+json"
	indexType    = "application/vnd.oci.image.index.v1+json"
)

// The image config and the OCI manifest, in the fields docker save writes.
type (
	imageConfig struct {
		Architecture string        `json:"architecture"`
		Config       runConfig     `json:"config"`
		Created      time.Time     `json:"created"`
		History      []historyStep `json:"history"`
		OS           string        `json:"os"`
		RootFS       rootFS        `json:"rootfs"`
	}
	runConfig struct {
		Env        []string          `json:"Env"`
		Entrypoint []string          `json:"Entrypoint"`
		WorkingDir string            `json:"WorkingDir"`
		Labels     map[string]string `json:"Labels"`
	}
	historyStep struct {
		Created    time.Time `json:"created"`
		CreatedBy  string    `json:"created_by"`
		Comment    string    `json:"comment"`
		EmptyLayer bool      `json:"empty_layer,omitempty"`
	}
	rootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	}
	descriptor struct {
		MediaType   string            `json:"mediaType"`
		Digest      string            `json:"digest"`
		Size        int               `json:"size"`
		Annotations map[string]string `json:"annotations,omitempty"`
	}
	ociManifest struct {
		SchemaVersion int          `json:"schemaVersion"`
		MediaType     string       `json:"mediaType"`
		Config        descriptor   `json:"config"`
		Layers        []descriptor `json:"layers"`
	}
)

// blobs are an image's parts by their SHA-256, hex.
type blobs map[string][]byte

func (b blobs) add(mediaType string, body []byte) descriptor {
	sum := sha256.Sum256(body)
	hexsum := hex.EncodeToString(sum[:])
	b[hexsum] = body
	return descriptor{MediaType: mediaType, Digest: "sha256:" + hexsum, Size: len(body)}
}

// ReleaseImage is the release image as `docker save` writes it: its
// blobs by digest in an OCI layout, with the manifest.json and
// repositories files docker load reads. The same arguments give the same
// bytes.
func ReleaseImage(script string, key client.Credentials, store string) ([]byte, error) {
	parts := blobs{}
	cfg := releaseConfig()
	var layers []descriptor
	for i, l := range releaseLayers(script, key, store) {
		tarball, err := l.tarball()
		if err != nil {
			return nil, err
		}
		d := parts.add(layerType, tarball)
		layers = append(layers, d)
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, d.Digest)
		cfg.step(time.Duration(i-3)*9*time.Second, l.createdBy, false)
	}
	cfg.step(0, `ENTRYPOINT ["/usr/local/bin/coverlytics"]`, true)
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	m := ociManifest{SchemaVersion: 2, MediaType: manifestType, Config: parts.add(configType, cfgJSON), Layers: layers}
	manifest, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return imageArchive(parts, m, parts.add(manifestType, manifest))
}

// releaseConfig is the image's config before its layers are added.
func releaseConfig() *imageConfig {
	labels := map[string]string{"org.opencontainers.image.title": "coverlytics-uploader", "org.opencontainers.image.version": Version, "org.opencontainers.image.vendor": "Coverlytics"}
	cfg := &imageConfig{Architecture: "amd64", OS: "linux", Created: built, RootFS: rootFS{Type: "layers"},
		Config: runConfig{
			Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			Entrypoint: []string{"/usr/local/bin/coverlytics"},
			WorkingDir: "/",
			Labels:     labels,
		}}
	cfg.step(-40*time.Second, "LABEL org.opencontainers.image.title=coverlytics-uploader org.opencontainers.image.version="+Version+" org.opencontainers.image.vendor=Coverlytics", true)
	return cfg
}

// step adds a build step to the history, at seconds before the build's end.
func (c *imageConfig) step(at time.Duration, createdBy string, empty bool) {
	c.History = append(c.History, historyStep{Created: built.Add(at), CreatedBy: createdBy, Comment: "buildkit.dockerfile.v0", EmptyLayer: empty})
}
