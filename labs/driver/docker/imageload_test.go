package docker_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sakimori/sakimori/labs/driver/docker/dockertest"
	"github.com/sakimori/sakimori/labs/imagearchive"
)

func fileOpener(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// Archives the engine itself saved: the scan reads their name and user
// and finds what a lab may not run, and a clean one loads back onto the
// engine under its name.
func TestSavedImagesAreScannedThenLoaded(t *testing.T) {
	e := dockertest.Engine(t)
	const base = "sakimori-lab/base:latest"
	id := strconv.FormatInt(time.Now().UnixNano(), 36) // tests on one engine never share a name

	tag := "sakimori-lab/test-import-" + id + ":1"
	clean := dockertest.SavedImage(t, e, tag, "FROM "+base+"\nLABEL purpose=import-test\n")
	img, err := imagearchive.Scan(fileOpener(clean))
	if err != nil {
		t.Fatalf("a clean saved image: %v", err)
	}
	if len(img.Tags) != 1 || img.Tags[0] != tag || img.User != "1000:1000" {
		t.Fatalf("scanned %+v", img)
	}
	f, _ := os.Open(clean)
	defer f.Close()
	if err := e.LoadImage(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if have, err := e.HasImage(context.Background(), tag); err != nil || !have {
		t.Fatalf("the loaded image is not on the engine: %v", err)
	}

	for _, c := range []struct{ name, dockerfile, says string }{
		{"root", "FROM " + base + "\nUSER root\n", `root (user "root")`},
		{"setuid", "FROM " + base + "\nUSER 0\nRUN cp /bin/busybox /bin/su-copy && chmod u+s /bin/su-copy\nUSER 1000:1000\n", "/bin/su-copy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := dockertest.SavedImage(t, e, "sakimori-lab/test-import-"+c.name+"-"+id+":1", c.dockerfile)
			_, err := imagearchive.Scan(fileOpener(path))
			var r *imagearchive.Refusal
			if !errors.As(err, &r) || !strings.Contains(r.Reason, c.says) {
				t.Fatalf("got %v; want a refusal saying %q", err, c.says)
			}
		})
	}
}
