package main

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs/driver/docker/dockertest"
)

// An operator adds a lab image from an archive at the command line: a
// clean one is loaded onto the engine and recorded; one that runs as root
// is refused with the reason and never reaches the engine.
func TestImagesImport(t *testing.T) {
	e := dockertest.Engine(t)
	dir := t.TempDir()
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	importing := func(file string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"images", "import", "-data-dir", dir, file}, envOf(nil), nil, &out, io.Discard)
		return out.String(), err
	}

	tag := "sakimori-lab/cli-import-" + id + ":1"
	archive := dockertest.SavedImage(t, e, tag, "FROM sakimori-lab/base:latest\nLABEL purpose=cli-import-test\n")
	out, err := importing(archive)
	if err != nil || !strings.Contains(out, tag) || !strings.Contains(out, "added (runs as 1000:1000") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if have, err := e.HasImage(context.Background(), tag); err != nil || !have {
		t.Fatalf("the image is not on the engine: %v", err)
	}

	rooted := "sakimori-lab/cli-rooted-" + id + ":1"
	archive = dockertest.SavedImage(t, e, rooted, "FROM sakimori-lab/base:latest\nUSER root\n")
	if out, err := importing(archive); err == nil || !strings.Contains(err.Error(), "image_refused") || !strings.Contains(err.Error(), "runs as root") {
		t.Fatalf("a root image: %v\n%s", err, out)
	}
	if have, _ := e.HasImage(context.Background(), rooted); have {
		t.Fatal("a refused image reached the engine")
	}
	if _, err := importing(dir + "/absent.tar"); err == nil {
		t.Fatal("a missing file was imported")
	}
}
