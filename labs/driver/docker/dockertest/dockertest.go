// Package dockertest gives tests the real Docker engine, with the base lab
// image built. Without an engine a test is skipped, unless
// SAKIMORI_TEST_DOCKER is set (as CI sets it), where that is a failure.
package dockertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sakimori/sakimori/docker/labimages"
	"github.com/sakimori/sakimori/labs/driver/docker"
)

var (
	once   sync.Once
	engine *docker.Engine
	ready  error
)

// Engine returns the engine, acting for a range of the caller's own so
// that tests running together never reconcile each other's labs away.
func Engine(t testing.TB) *docker.Engine {
	t.Helper()
	once.Do(func() {
		engine, ready = docker.Connect("")
		if ready == nil {
			ready = engine.Ping(context.Background())
		}
		if ready == nil {
			var tags map[string]string
			tags, ready = BuildImages(context.Background(), engine)
			engine = engine.WithImages(tags)
		}
	})
	if ready != nil {
		if os.Getenv("SAKIMORI_TEST_DOCKER") != "" {
			t.Fatalf("SAKIMORI_TEST_DOCKER is set but the engine is not usable: %v", ready)
		}
		t.Skipf("no Docker engine: %v", ready)
	}
	scoped := engine.ForRange(fmt.Sprintf("test-%d", time.Now().UnixNano()))
	Clean(t, scoped)
	return scoped
}

// Clean removes every container and network of e's range when the test
// ends, however it ends: a test that fails midway, or whose own cleanup
// misses an object, leaves nothing on the engine. Give it each further
// range a test makes (Engine.ForRange) as soon as it is made.
func Clean(t testing.TB, e *docker.Engine) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := e.DestroyRange(ctx); err != nil {
			t.Errorf("removing test range %s from the engine: %v", e.RangeID(), err)
		}
	})
}

// BuildImages builds the lab images from this machine's busybox and a
// sakimori-sim compiled from this checkout, each under its content tag
// and its plain name, tags a workstation already built from the same
// recipe and builds the runner on it. It returns the tags an Engine
// should run (Engine.WithImages).
func BuildImages(ctx context.Context, engine *docker.Engine) (map[string]string, error) {
	dir, err := os.MkdirTemp("", "sakimori-sim-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	src, err := labimages.FromCheckout(dir)
	if err != nil {
		return nil, err
	}
	imgs, err := labimages.All(src)
	if err != nil {
		return nil, err
	}
	for _, img := range imgs {
		if _, err := engine.BuildImage(ctx, img.Tag, img.Files, nil, img.Name); err != nil {
			return nil, err
		}
	}
	// The workstation takes minutes to make; tests that need it skip
	// without it, so only an existing one is given its tag.
	if have, err := engine.ImageHash(ctx, labimages.Workstation); err != nil {
		return nil, err
	} else if have == labimages.WorkstationHash() {
		if err := engine.TagImage(ctx, labimages.Workstation, labimages.WorkstationTag()); err != nil {
			return nil, err
		}
		// The runner is the workstation plus sakimori-sim: seconds to build.
		if runner, ok := labimages.RunnerOf(imgs); ok {
			if _, err := engine.BuildImage(ctx, runner.Tag, runner.Files, nil, runner.Name); err != nil {
				return nil, err
			}
		}
	}
	// The warehouse likewise, on its Debian base when there is one.
	base := labimages.WarehouseOSImage()
	if have, err := engine.ImageHash(ctx, base.Tag()); err != nil {
		return nil, err
	} else if warehouse, ok := labimages.WarehouseOf(imgs); ok && have == base.Hash() {
		if _, err := engine.BuildImage(ctx, warehouse.Tag, warehouse.Files, nil, warehouse.Name); err != nil {
			return nil, err
		}
	}
	return labimages.Tags(imgs), nil
}

// SavedImage builds tag from a Dockerfile (FROM one of the lab images),
// saves it to a file in the test's temporary folder as `docker save` does,
// and removes it from the engine, so the test starts from the archive
// alone. It removes the image again when the test ends.
func SavedImage(t testing.TB, e *docker.Engine, tag, dockerfile string) string {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { _ = e.RemoveImage(context.Background(), tag) })
	if _, err := e.BuildImage(ctx, tag, map[string][]byte{"Dockerfile": []byte(dockerfile)}, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "image.tar")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := e.SaveImage(ctx, tag, f); err != nil {
		t.Fatal(err)
	}
	if err := e.RemoveImage(ctx, tag); err != nil {
		t.Fatal(err)
	}
	return path
}
