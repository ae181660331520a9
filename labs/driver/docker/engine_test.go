package docker

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/docker/labimages"
)

// requireEngine skips without a Docker engine, unless SAKIMORI_TEST_DOCKER
// is set (as CI sets it), where a missing engine is a failure. Other
// packages use dockertest.Engine; this package cannot, since dockertest
// imports it.
func requireEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := Connect("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.Ping(context.Background()); err != nil {
		if os.Getenv("SAKIMORI_TEST_DOCKER") != "" {
			t.Fatalf("SAKIMORI_TEST_DOCKER is set but the engine does not answer: %v", err)
		}
		t.Skipf("no Docker engine: %v", err)
	}
	scoped := e.ForRange("test-" + newID(t)) // its own range: other tests' reconcilers leave it alone
	// Whatever the test does or fails to do, its range leaves nothing
	// behind (dockertest.Clean, which this package cannot import).
	t.Cleanup(func() {
		if err := scoped.DestroyRange(context.Background()); err != nil {
			t.Errorf("removing test range: %v", err)
		}
	})
	return scoped
}

var (
	baseOnce sync.Once
	baseErr  error
	baseTags map[string]string
	baseImgs []labimages.Image // what baseTags names, for images built on them
)

// requireLabImages builds the lab images once per test run, with
// sakimori-sim from this checkout (every lab's resolver runs it), under
// their content tags, and has e run those; a no-op when the engine
// already has them from the same inputs. (dockertest.BuildImages does the
// same for other packages; this one cannot import it.)
func requireLabImages(t testing.TB, e *Engine) {
	t.Helper()
	baseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sakimori-sim-")
		if err != nil {
			baseErr = err
			return
		}
		defer os.RemoveAll(dir)
		src, err := labimages.FromCheckout(dir)
		if err != nil {
			baseErr = err
			return
		}
		imgs, err := labimages.All(src)
		if err != nil {
			baseErr = err
			return
		}
		for _, img := range imgs {
			if _, baseErr = e.BuildImage(context.Background(), img.Tag, img.Files, nil, img.Name); baseErr != nil {
				return
			}
		}
		baseTags, baseImgs = labimages.Tags(imgs), imgs
	})
	if baseErr != nil {
		t.Fatalf("lab images: %v", baseErr)
	}
	// A workstation from the same recipe (made by its own test) is run
	// under its content tag too.
	if have, _ := e.ImageHash(context.Background(), labimages.Workstation); have == labimages.WorkstationHash() {
		if err := e.TagImage(context.Background(), labimages.Workstation, labimages.WorkstationTag()); err != nil {
			t.Fatal(err)
		}
	}
	e.images = baseTags
}

func TestPingRealEngine(t *testing.T) {
	e := requireEngine(t)
	api, err := e.APIVersion(context.Background())
	if err != nil || !strings.HasPrefix(api, "1.") {
		t.Fatalf("Ping = %q, %v", api, err)
	}
}

func TestPingUnreachableEngineFailsFast(t *testing.T) {
	e, err := Connect("tcp://127.0.0.1:1") // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	start := time.Now()
	if err := e.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("Ping of a dead engine = %v; want an error naming the address", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Ping did not honour its deadline")
	}
}

func TestImageBuildIsSkippedWhenInputsAreUnchanged(t *testing.T) {
	e := requireEngine(t)
	requireLabImages(t, e)
	imgs, _ := labimages.All(labimages.HostSources())
	built, err := e.BuildImage(context.Background(), imgs[0].Tag, imgs[0].Files, nil)
	if err != nil || built {
		t.Fatalf("rebuild with unchanged inputs: built=%v, %v", built, err)
	}
	bad := map[string][]byte{"Dockerfile": []byte("FROM scratch\nRUN [\"/no/such/binary\"]\n")}
	if _, err := e.BuildImage(context.Background(), "sakimori-lab/test-broken:latest", bad, nil); err == nil {
		t.Fatal("a failing build reported success")
	}
}
