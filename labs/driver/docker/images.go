package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"sort"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/jsonmessage"
)

// LabelImageHash marks an image with the hash of the build context that
// made it, so a rebuild with the same inputs is skipped.
const LabelImageHash = "io.sakimori.image.hash"

// BuildImage builds tag from an in-memory build context unless the image
// already exists with the same context hash, and gives it the aliases
// too. It reports whether it built.
func (e *Engine) BuildImage(ctx context.Context, tag string, files map[string][]byte, out io.Writer, aliases ...string) (bool, error) {
	hash := contextHash(files)
	if img, err := e.cli.ImageInspect(ctx, tag); err == nil && img.Config != nil && img.Config.Labels[LabelImageHash] == hash {
		for _, alias := range aliases {
			if err := e.TagImage(ctx, tag, alias); err != nil {
				return false, err
			}
		}
		return false, nil
	} else if err != nil && !cerrdefs.IsNotFound(err) {
		return false, e.fail("inspect image "+tag, err)
	}
	tarball, err := tarOf(files)
	if err != nil {
		return false, err
	}
	resp, err := e.cli.ImageBuild(ctx, tarball, build.ImageBuildOptions{
		Tags:        append([]string{tag}, aliases...),
		Labels:      map[string]string{LabelImageHash: hash},
		Remove:      true,
		ForceRemove: true,
		PullParent:  false,
		NetworkMode: "none", // a build never reaches the network
	})
	if err != nil {
		return false, e.fail("build "+tag, err)
	}
	defer resp.Body.Close()
	if out == nil {
		out = io.Discard
	}
	// The build's own errors arrive inside the stream, not as an HTTP error.
	if err := jsonmessage.DisplayJSONMessagesStream(resp.Body, out, 0, false, nil); err != nil {
		return false, e.fail("build "+tag, err)
	}
	return true, nil
}

// contextHash is a stable hash of file names, modes and contents.
func contextHash(files map[string][]byte) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(files[n])
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func tarOf(files map[string][]byte) (io.Reader, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		mode := int64(0o644)
		if bytes.HasPrefix(files[n], []byte("\x7fELF")) { // a binary to run
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(files[n]))}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}

// TagImage gives the image source the further name target.
func (e *Engine) TagImage(ctx context.Context, source, target string) error {
	if err := e.cli.ImageTag(ctx, source, target); err != nil {
		return e.fail("tag "+source+" as "+target, err)
	}
	return nil
}

// ImageHash returns the content hash an image was built from, or "" if
// there is no such image.
func (e *Engine) ImageHash(ctx context.Context, tag string) (string, error) {
	img, err := e.cli.ImageInspect(ctx, tag)
	if cerrdefs.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", e.fail("inspect image "+tag, err)
	}
	if img.Config == nil {
		return "", nil
	}
	return img.Config.Labels[LabelImageHash], nil
}

// ImportImage makes tag from a root file system tarball, marked with hash
// and with the given settings (USER, WORKDIR, ENV, CMD).
func (e *Engine) ImportImage(ctx context.Context, tag string, rootfs io.Reader, hash string, changes []string) error {
	changes = append(append([]string{}, changes...), "LABEL "+LabelImageHash+"="+hash)
	resp, err := e.cli.ImageImport(ctx, image.ImportSource{Source: rootfs, SourceName: "-"}, tag, image.ImportOptions{Changes: changes})
	if err != nil {
		return e.fail("import "+tag, err)
	}
	defer resp.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(resp, io.Discard, 0, false, nil); err != nil {
		return e.fail("import "+tag, err)
	}
	return nil
}

// LoadImage loads an image archive, as `docker save` writes one, onto the
// engine. The range scans an archive before it calls this
// (labs/imagearchive); the engine pulls nothing.
func (e *Engine) LoadImage(ctx context.Context, archive io.Reader) error {
	resp, err := e.cli.ImageLoad(ctx, archive, client.ImageLoadWithQuiet(true))
	if err != nil {
		return e.fail("load image", err)
	}
	defer resp.Body.Close()
	// The load's own errors arrive inside the stream, not as an HTTP error.
	if err := jsonmessage.DisplayJSONMessagesStream(resp.Body, io.Discard, 0, false, nil); err != nil {
		return e.fail("load image", err)
	}
	return nil
}

// SaveImage writes an image as an archive, as `docker save` does.
func (e *Engine) SaveImage(ctx context.Context, tag string, w io.Writer) error {
	r, err := e.cli.ImageSave(ctx, []string{tag})
	if err != nil {
		return e.fail("save image "+tag, err)
	}
	defer r.Close()
	_, err = io.Copy(w, r)
	return err
}

// RemoveImage removes an image by name; one already gone is not an error.
func (e *Engine) RemoveImage(ctx context.Context, tag string) error {
	_, err := e.cli.ImageRemove(ctx, tag, image.RemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return e.fail("remove image "+tag, err)
	}
	return nil
}

// HasImage says whether the engine holds an image of that name.
func (e *Engine) HasImage(ctx context.Context, tag string) (bool, error) {
	_, err := e.cli.ImageInspect(ctx, tag)
	switch {
	case err == nil:
		return true, nil
	case cerrdefs.IsNotFound(err):
		return false, nil
	}
	return false, e.fail("inspect image "+tag, err)
}
